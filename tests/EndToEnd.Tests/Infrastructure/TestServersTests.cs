using System.Net;
using System.Net.Sockets;
using System.Text;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Where the tests' servers come from (<see cref="TestServers"/>): the rule itself, and the Docker probe against fake
/// engines, so both are checked here, where no Docker engine runs.
/// </summary>
public sealed class TestServersTests
{
    [Fact]
    public void A_configured_server_wins_and_Docker_is_not_even_asked() =>
        TestServers.Choose("Host=db.example;Username=postgres", () => throw new InvalidOperationException("Docker was asked"))
            .ShouldBe(TestServerSource.Configured);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Unconfigured_with_a_Docker_engine_is_a_container(string? configured) =>
        TestServers.Choose(configured, () => true).ShouldBe(TestServerSource.Container);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Unconfigured_without_Docker_falls_back_to_the_script_started_server(string? configured) =>
        TestServers.Choose(configured, () => false).ShouldBe(TestServerSource.ScriptStarted);

    [Fact]
    public void The_script_started_servers_are_on_the_scripts_ports()
    {
        TestServers.ScriptStartedPostgres(null).ShouldBe("Host=127.0.0.1;Port=55432;Username=postgres;Database=ledger");
        TestServers.ScriptStartedPostgres("56432").ShouldBe("Host=127.0.0.1;Port=56432;Username=postgres;Database=ledger");
        TestServers.ScriptStartedRabbitMq(null).ShouldBe("amqp://guest:guest@127.0.0.1:55672/");
        TestServers.ScriptStartedRabbitMq("56672").ShouldBe("amqp://guest:guest@127.0.0.1:56672/");
    }

    [Fact]
    public void The_test_database_asks_TestServers() =>
        TestDatabase.ServerAdminConnectionString.ShouldBe(TestServers.PostgresAdmin);

    [Fact]
    public async Task An_engine_answering_its_ping_on_a_socket_is_found()
    {
        await using var engine = FakeEngine.OnSocket("HTTP/1.1 200 OK\r\nApi-Version: 1.47\r\nContent-Length: 2\r\n\r\nOK");
        DockerEngine.Answers(engine.DockerHost).ShouldBeTrue();
        (await engine.Request).ShouldStartWith("GET /_ping HTTP/1.");
    }

    [Fact]
    public async Task An_engine_answering_its_ping_over_TCP_is_found()
    {
        await using var engine = FakeEngine.OnTcp("HTTP/1.0 200 OK\r\n\r\nOK");
        DockerEngine.Answers(engine.DockerHost).ShouldBeTrue();
    }

    [Fact]
    public async Task Something_else_on_the_socket_is_no_engine()
    {
        await using var notFound = FakeEngine.OnSocket("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        DockerEngine.Answers(notFound.DockerHost).ShouldBeFalse();
        await using var mute = FakeEngine.OnSocket("");
        DockerEngine.Answers(mute.DockerHost).ShouldBeFalse();
    }

    [Fact]
    public async Task Behind_TLS_accepting_the_connection_is_enough()
    {
        await using var engine = FakeEngine.OnTcp("");
        DockerEngine.Answers(engine.DockerHost, tls: true).ShouldBeTrue();
    }

    [Theory]
    [InlineData("unix:///nonexistent/docker.sock")] // no engine installed
    [InlineData("tcp://127.0.0.1:1")] // nothing listens
    [InlineData("npipe:////./pipe/docker_engine")] // Windows: not probed
    [InlineData("not a url")]
    public void No_engine_is_found_where_none_answers(string dockerHost) =>
        DockerEngine.Answers(dockerHost).ShouldBeFalse();

    [Fact]
    public void A_socket_nobody_listens_on_is_no_engine()
    {
        // What a stopped engine leaves behind: the socket's file, and a refused connection.
        var path = Path.Combine(Path.GetTempPath(), $"docker-{Guid.NewGuid():N}.sock");
        using var stopped = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        stopped.Bind(new UnixDomainSocketEndPoint(path));

        DockerEngine.Answers("unix://" + path).ShouldBeFalse();
    }

    /// <summary>Accepts one connection, reads the request's head, and writes <c>answer</c> (nothing: just closes).</summary>
    private sealed class FakeEngine : IAsyncDisposable
    {
        private readonly Socket _listener;
        private readonly string? _socketPath;

        private FakeEngine(Socket listener, EndPoint endpoint, string dockerHost, string answer, string? socketPath)
        {
            _listener = listener;
            _socketPath = socketPath;
            listener.Bind(endpoint);
            listener.Listen(1);
            DockerHost = socketPath is null ? $"tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}" : dockerHost;
            Request = ServeOnce(answer);
        }

        public string DockerHost { get; }

        /// <summary>The head of the request the engine received.</summary>
        public Task<string> Request { get; }

        public static FakeEngine OnSocket(string answer)
        {
            var path = Path.Combine(Path.GetTempPath(), $"docker-{Guid.NewGuid():N}.sock");
            return new(new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified), new UnixDomainSocketEndPoint(path), "unix://" + path, answer, path);
        }

        public static FakeEngine OnTcp(string answer) =>
            new(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp), new IPEndPoint(IPAddress.Loopback, 0), "", answer, null);

        private async Task<string> ServeOnce(string answer)
        {
            using var connection = await _listener.AcceptAsync();
            var head = new StringBuilder();
            var buffer = new byte[512];
            if (answer.Length > 0)
            {
                while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await connection.ReceiveAsync(buffer);
                    if (read == 0) break;
                    head.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }
                await connection.SendAsync(Encoding.ASCII.GetBytes(answer));
            }
            connection.Shutdown(SocketShutdown.Both);
            return head.ToString();
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Dispose();
            try
            {
                await Request;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Nobody connected: nothing to serve.
            }
            if (_socketPath is not null) File.Delete(_socketPath);
        }
    }
}
