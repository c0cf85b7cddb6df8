using System.Net.Sockets;
using System.Text;
using Ledger.Application.Orders;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.MultiHost;

/// <summary>
/// SIGTERM stops a Host gracefully: it stops taking connections, finishes the request in flight (here one whose body
/// is still arriving), and exits 0 well within its shutdown timeout.
/// </summary>
[Trait("Category", "MultiHost")]
public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task On_SIGTERM_the_request_in_flight_finishes_and_the_process_exits_cleanly()
    {
        await using var cluster = await LedgerCluster.CreateAsync();
        var host = cluster.Start("a", new Dictionary<string, string> { ["Ledger:Shutdown:TimeoutSeconds"] = "20" });
        await host.WaitReadyAsync(TimeSpan.FromSeconds(60));
        var tenant = TestDatabase.NewTenant();
        var token = cluster.Tokens.For(tenant, LedgerRoles.Clerk);
        var orderId = Guid.NewGuid();
        var body = Encoding.UTF8.GetBytes(OrderApi.CreateBody.Replace("{\"customer_id\"", $"{{\"order_id\":\"{orderId}\",\"customer_id\"", StringComparison.Ordinal));

        // The request starts: headers and half of the body are sent, the Host is reading the rest.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", host.Port);
        await using var stream = new NetworkStream(socket);
        var head = $"POST /api/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            + $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(body.AsMemory(0, body.Length / 2));
        await stream.FlushAsync();

        host.Terminate();
        await Eventually.Until(async () => await host.AcceptsConnectionsAsync(), accepts => !accepts,
            TimeSpan.FromSeconds(15), "the Host to stop accepting connections");
        host.HasExited.ShouldBeFalse("the Host waits for the request in flight");

        await stream.WriteAsync(body.AsMemory(body.Length / 2));
        await stream.FlushAsync();
        var response = await ReadResponseAsync(stream);

        response.ShouldStartWith("HTTP/1.1 201", customMessage: response + "\n" + host.Tail());
        (await host.WaitExitAsync(TimeSpan.FromSeconds(20))).ShouldBeTrue("the Host exits after its last request:\n" + host.Tail());
        host.ExitCode.ShouldBe(0, host.Tail());
        (await cluster.Db.Store.ReadStreamAsync(tenant, OrderStreams.For(orderId))).Count.ShouldBe(1);
    }

    private static async Task<string> ReadResponseAsync(NetworkStream stream)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var buffer = new byte[16 * 1024];
        var text = new StringBuilder();
        while (!text.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, cancel.Token);
            if (read == 0) break;
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        return text.ToString();
    }
}
