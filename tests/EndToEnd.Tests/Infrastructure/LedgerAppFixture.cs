using Alba;
using Ledger.Host.Auth;
using Ledger.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The whole Host, in memory under Alba, on a fresh schema of the real test PostgreSQL and with its own signing key:
/// one per test class, so classes run in parallel. Tests isolate further by using a new tenant each.
/// </summary>
public sealed class LedgerAppFixture : IAsyncLifetime
{
    public const string Issuer = "ledger-test";
    public const string Audience = "ledger-api-test";

    private readonly string _keyDirectory = Path.Combine(Path.GetTempPath(), "ledger-e2e-" + Guid.NewGuid().ToString("N"));
    private IAlbaHost? _host;
    private TestDatabase? _db;
    private Dictionary<string, string?> _settings = [];

    public TestDatabase Db => _db ?? throw new InvalidOperationException("not initialized");

    /// <summary>The Host under test: <c>Host.Scenario(…)</c> for Alba scenarios, <c>Host.Services</c> for its services.</summary>
    public IAlbaHost Host => _host ?? throw new InvalidOperationException("not initialized");

    public string SigningKeyPath => Path.Combine(_keyDirectory, "signing-key.pem");

    public TestTokens Tokens { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(sealing: false);
        SigningKeyFiles.Generate(SigningKeyPath);
        _settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Ledger"] = Db.AppConnectionString,
            ["ConnectionStrings:LedgerAdmin"] = Db.AdminConnectionString,
            ["Ledger:Database:Schema"] = Db.Schema,
            ["Ledger:Database:AppRole"] = TestDatabase.AppRole,
            ["Ledger:Database:MigrateOnStart"] = "true",
            ["Ledger:Database:EnsureAppRole"] = "false",
            ["Ledger:Auth:Issuer"] = Issuer,
            ["Ledger:Auth:Audience"] = Audience,
            ["Ledger:Auth:SigningKeyPath"] = SigningKeyPath,
            ["Serilog:MinimumLevel:Default"] = "Warning",
        };
        _host = await InMemoryHost.StartAsync(_settings);
        Tokens = new TestTokens(Host.Services.GetRequiredService<LedgerSigningKeys>(), Issuer, Audience);
    }

    public HttpClient Client() => Host.Client();

    /// <summary>
    /// Another Host on the same database and signing key, started now with <paramref name="more"/> on top of this
    /// fixture's settings (other settings, test services). The test disposes it.
    /// </summary>
    public Task<IAlbaHost> HostWith(Action<IWebHostBuilder> more) => InMemoryHost.StartAsync(_settings, more);

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        if (_db is not null) await _db.DisposeAsync();
        if (Directory.Exists(_keyDirectory)) Directory.Delete(_keyDirectory, recursive: true);
    }
}
