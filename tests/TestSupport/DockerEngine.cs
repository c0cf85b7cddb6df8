using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ledger.TestSupport;

/// <summary>
/// Whether a Docker engine answers, so tests may start their servers in containers (see <see cref="TestServers"/>).
/// The engine is asked what <c>docker</c> itself asks first: <c>GET /_ping</c>, at <c>DOCKER_HOST</c> or the default
/// socket. A socket file left behind by a stopped engine refuses the connection, and so counts as no engine.
/// </summary>
public static class DockerEngine
{
    public const string DefaultHost = "unix:///var/run/docker.sock";

    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(3);

    private static readonly Lazy<bool> answersHere = new(() =>
        Answers(Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } configured ? configured : DefaultHost,
            tls: Environment.GetEnvironmentVariable("DOCKER_TLS_VERIFY") is { Length: > 0 } verify && verify != "0"));

    /// <summary>Whether the engine this process would use answers (asked once per process).</summary>
    public static bool AnswersHere => answersHere.Value;

    /// <summary>
    /// Whether the engine at <paramref name="dockerHost"/> (<c>unix://path</c> or <c>tcp://host:port</c>) answers its ping.
    /// An engine behind TLS (<paramref name="tls"/>) only has to accept the connection: pinging it would need its
    /// client certificate, and Testcontainers, which has it, reports a bad one clearly enough.
    /// </summary>
    public static bool Answers(string dockerHost, bool tls = false)
    {
        ArgumentNullException.ThrowIfNull(dockerHost);
        if (!Uri.TryCreate(dockerHost, UriKind.Absolute, out var uri)) return false;
        EndPoint? endpoint = uri.Scheme switch
        {
            "unix" => new UnixDomainSocketEndPoint(uri.AbsolutePath),
            "tcp" when uri.Port > 0 => new DnsEndPoint(uri.Host, uri.Port),
            _ => null, // npipe (Windows) and ssh: not probed, so no container is started from here
        };
        if (endpoint is null) return false;
        // Off the caller's synchronization context: callers are lazy, synchronous initialisers.
        return Task.Run(() => PingAsync(endpoint, tls)).GetAwaiter().GetResult();
    }

    private static async Task<bool> PingAsync(EndPoint endpoint, bool tls)
    {
        using var timeout = new CancellationTokenSource(PingTimeout);
        using var socket = endpoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endpoint, timeout.Token);
            if (tls) return true;
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await stream.WriteAsync("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"u8.ToArray(), timeout.Token);
            var statusLine = await ReadStatusLineAsync(stream, timeout.Token);
            // "HTTP/1.1 200 OK": the version varies, the status code is what says the engine is up.
            return statusLine.Split(' ') is [var version, "200", ..] && version.StartsWith("HTTP/", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<string> ReadStatusLineAsync(Stream stream, CancellationToken ct)
    {
        var received = new StringBuilder();
        var buffer = new byte[256];
        while (received.Length < 1024)
        {
            var read = await stream.ReadAsync(buffer, ct);
            if (read == 0) break;
            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            var end = received.ToString().IndexOf("\r\n", StringComparison.Ordinal);
            if (end >= 0) return received.ToString(0, end);
        }
        return received.ToString();
    }
}
