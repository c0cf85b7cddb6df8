using System.Net.Sockets;
using System.Text;
using Ledger.Host;
using Ledger.Host.Auth;
using Ledger.TestSupport;
using Microsoft.AspNetCore.Builder;

namespace Ledger.EndToEnd.Tests.Hardening;

/// <summary>
/// Issue 12, section 1: what Kestrel refuses before the app runs (a NUL in the path, a request line that is no request
/// line) still carries the hardening headers. The in-memory test server has no Kestrel, so this starts the Host on a
/// real listener and speaks raw HTTP/1.1 over TCP.
/// </summary>
public sealed class KestrelRejectionTests : IAsyncLifetime
{
    private readonly string _keyDirectory = Path.Combine(Path.GetTempPath(), "ledger-kestrel-" + Guid.NewGuid().ToString("N"));
    private TestDatabase _db = null!;
    private WebApplication _host = null!;
    private Uri _address = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(sealing: false);
        var keyPath = Path.Combine(_keyDirectory, "signing-key.pem");
        SigningKeyFiles.Generate(keyPath);
        _host = LedgerWebApp.Build(
        [
            "--environment=Testing", "--urls=http://127.0.0.1:0",
            $"--ConnectionStrings:Ledger={_db.AppConnectionString}", $"--ConnectionStrings:LedgerAdmin={_db.AdminConnectionString}",
            $"--Ledger:Database:Schema={_db.Schema}", $"--Ledger:Database:AppRole={TestDatabase.AppRole}",
            "--Ledger:Database:MigrateOnStart=true", "--Ledger:Database:EnsureAppRole=false",
            "--Ledger:Auth:Issuer=ledger-test", "--Ledger:Auth:Audience=ledger-api-test", $"--Ledger:Auth:SigningKeyPath={keyPath}",
            "--Serilog:MinimumLevel:Default=Warning",
        ]);
        await _host.StartAsync();
        _address = new Uri(_host.Urls.Single());
    }

    public static TheoryData<string> Refused => new()
    {
        "GET /api/orders/%00 HTTP/1.1\r\nHost: ledger\r\n\r\n",
        "GET /api/orders/a%00b?x=1 HTTP/1.1\r\nHost: ledger\r\nAccept: text/html\r\n\r\n",
        "THIS IS NOT HTTP\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: ledger\r\nBad Header Name: x\r\n\r\n",
        "GET /health/live HTTP/1.1\r\n\r\n", // no Host header
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Kestrel_s_own_refusal_carries_the_security_headers(string request)
    {
        var response = await SendRawAsync(request);

        response.ShouldMatch(@"^HTTP/1\.1 (400|505) "); // 505 for a request line with no HTTP version Kestrel knows
        ShouldCarryTheHeadersOnce(response);
    }

    [Fact]
    public async Task The_app_s_answers_on_the_same_listener_carry_them_once()
    {
        var live = await SendRawAsync("GET /health/live HTTP/1.1\r\nHost: ledger\r\nConnection: close\r\n\r\n");
        live.ShouldStartWith("HTTP/1.1 200", customMessage: live);
        ShouldCarryTheHeadersOnce(live);

        var missing = await SendRawAsync("GET /api/orders/x HTTP/1.1\r\nHost: ledger\r\nConnection: close\r\n\r\n");
        missing.ShouldStartWith("HTTP/1.1 401", customMessage: missing);
        ShouldCarryTheHeadersOnce(missing);
    }

    private static void ShouldCarryTheHeadersOnce(string response)
    {
        var head = response[..response.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        var lines = head.Split("\r\n");
        foreach (var header in new[] { "X-Content-Type-Options: nosniff", "X-Frame-Options: DENY", "Referrer-Policy: no-referrer",
                     "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'" })
            lines.Count(l => l.Equals(header, StringComparison.OrdinalIgnoreCase)).ShouldBe(1, $"{header} in\n{head}");
        lines.ShouldNotContain(l => l.StartsWith("Server:", StringComparison.OrdinalIgnoreCase), head);
    }

    private async Task<string> SendRawAsync(string request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_address.Host, _address.Port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var text = new StringBuilder();
        var buffer = new char[4096];
        // Kestrel closes the connection after a 400 and after "Connection: close": read to the end.
        int read;
        while ((read = await reader.ReadAsync(buffer, timeout.Token)) > 0) text.Append(buffer, 0, read);
        return text.ToString();
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        await _host.DisposeAsync();
        await _db.DisposeAsync();
        if (Directory.Exists(_keyDirectory)) Directory.Delete(_keyDirectory, recursive: true);
    }
}
