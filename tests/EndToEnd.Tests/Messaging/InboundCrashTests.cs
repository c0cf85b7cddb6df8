using Ledger.Application.Audit;
using Ledger.Application.Orders;
using Ledger.EndToEnd.Tests.MultiHost;
using Ledger.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wolverine.Runtime;

namespace Ledger.EndToEnd.Tests.Messaging;

/// <summary>
/// A second Host (a process) takes a payment into its inbox and dies (kill -9) in the middle of applying it: blocked,
/// by the test, on the order's stream row at the moment of its append. Nothing of its transaction committed; the
/// fixture's Host takes the message over from the dead node's inbox and applies it, once.
/// </summary>
public sealed class InboundCrashTests(MessagingAppFixture app) : IClassFixture<MessagingAppFixture>
{
    [Fact]
    public async Task A_payment_whose_host_dies_mid_handling_is_applied_once_by_the_surviving_host()
    {
        var gateway = new Inbound(app);
        var order = await gateway.AwaitingPaymentAsync();
        var survivor = app.Host.Services.GetRequiredService<IWolverineRuntime>().Endpoints
            .FindListeningAgent(new Uri($"rabbitmq://queue/{app.QueuePrefix}payments"))!;
        await survivor.StopAndDrainAsync(); // the payment goes to the doomed Host

        await using var doomed = HostProcess.Start("doomed", app.Settings.ToDictionary(s => s.Key, s => s.Value ?? ""));
        await doomed.WaitReadyAsync(Inbound.Timeout);
        await using var blocker = await app.Db.AdminDataSource.OpenConnectionAsync();
        await using var hold = await blocker.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand($"""SELECT 1 FROM "{app.Db.Schema}".mt_streams WHERE tenant_id = $1 AND id = $2 FOR UPDATE""", blocker, hold))
        {
            lockRow.Parameters.Add(new() { Value = gateway.Tenant });
            lockRow.Parameters.Add(new() { Value = OrderStreams.For(order) });
            (await lockRow.ExecuteScalarAsync()).ShouldBe(1);
        }
        var message = Guid.NewGuid();
        await gateway.ConfirmAsync(message, order);
        await Eventually.Until(() => BlockedByAsync(blocker), n => n > 0, Inbound.Timeout, "the doomed Host's append to wait on the order's row");
        (await gateway.InboxStatusAsync(message)).ShouldBe("Incoming");

        doomed.Crash();
        (await doomed.WaitExitAsync(TimeSpan.FromSeconds(30))).ShouldBeTrue();
        await hold.RollbackAsync();
        await survivor.StartAsync();

        await gateway.WaitPaidAsync(order);
        await Eventually.Until(() => gateway.InboxStatusAsync(message), s => s == "Handled", Inbound.Timeout, "the survivor to mark it handled");
        (await gateway.PaidCountAsync(order)).ShouldBe(1);
        (await gateway.MessageAuditAsync(order)).ShouldHaveSingleItem().Entry.Result.ShouldBe(AuditResult.Success);
    }

    private static async Task<long> BlockedByAsync(NpgsqlConnection blocker)
    {
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))", blocker);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
