using Ledger.EventStore.MartenStore;
using Ledger.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using static Ledger.TestSupport.TestEvents;

namespace Ledger.EventStore.Tests.OnMarten;

/// <summary>
/// A fault in the sealer's page (here: the database refuses the chain rows) pauses Marten's subscription, and Marten
/// leaves it paused; the watch restarts it once the fault is gone, and every event is sealed, none twice.
/// </summary>
public sealed class SealerWatchTests : IAsyncLifetime
{
    private TestDatabase _ledger = null!;

    public async Task InitializeAsync() => _ledger = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _ledger.DisposeAsync();

    [Fact]
    public async Task A_sealer_paused_by_a_failing_page_is_restarted_and_seals_everything_once()
    {
        var tenant = TestDatabase.NewTenant();
        await _ledger.Store.AppendAsync(tenant, [To("before", ExpectedVersion.NoStream, Event())]);
        await ExecuteAsync($"REVOKE INSERT ON ledger_chain FROM {TestDatabase.AppRole}");
        var written = await _ledger.EventStore.AppendAsync(tenant, [To("during", ExpectedVersion.NoStream, Event(), Event())]);
        var daemon = _ledger.SealingDaemon!;
        await Eventually.Until(() => Task.FromResult(Status(daemon)), s => s == JasperFx.AgentStatus.Paused, TimeSpan.FromSeconds(30), "the sealer to pause");

        // Marten does not resume it by itself, even once the fault is gone.
        await ExecuteAsync($"GRANT INSERT ON ledger_chain TO {TestDatabase.AppRole}");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Status(daemon).ShouldBe(JasperFx.AgentStatus.Paused);
        (await _ledger.Progress.ReadAsync()).ShouldBeLessThan(written.LastPosition.Seq);

        var watch = new SubscriptionWatch(NullLogger.Instance, SubscriptionWatch.SealerShard, SubscriptionWatch.SealerStalled) { Interval = TimeSpan.FromMilliseconds(50), BaseDelay = TimeSpan.FromMilliseconds(100) };
        using var stop = new CancellationTokenSource();
        var watching = watch.RunAsync(() => daemon, stop.Token);
        (await _ledger.Progress.WaitForAsync(written.LastPosition.Seq, TimeSpan.FromSeconds(30))).ShouldBeTrue("the watch restarts the sealer");
        await stop.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => watching);

        await using var chain = _ledger.AdminDataSource.CreateCommand(
            "SELECT count(*), count(DISTINCT seq_id), (SELECT count(*) FROM mt_events) FROM ledger_chain");
        await using var reader = await chain.ExecuteReaderAsync();
        await reader.ReadAsync();
        (reader.GetInt64(0), reader.GetInt64(1)).ShouldBe((reader.GetInt64(2), reader.GetInt64(2)));
    }

    private static JasperFx.AgentStatus? Status(JasperFx.Events.Daemon.IProjectionDaemon daemon) =>
        daemon.CurrentAgents().FirstOrDefault(a => a.Name.Identity == ChainSealer.SubscriptionName + ":All")?.Status;

    private async Task ExecuteAsync(string sql)
    {
        await using var command = _ledger.AdminDataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
