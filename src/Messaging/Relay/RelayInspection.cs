using Ledger.EventStore;
using Ledger.EventStore.Leases;
using Ledger.Messaging.Broker;
using Npgsql;

namespace Ledger.Messaging.Relay;

/// <summary>The relay as an operator sees it from outside any Host (<c>ledger relay status</c>).</summary>
public sealed record RelayReport(
    string Relay,
    GlobalPosition Position,
    DateTimeOffset? CheckpointUpdatedAt,
    long Backlog,
    bool Running,
    BrokerState Broker);

public static class RelayInspection
{
    /// <summary>
    /// Reads the checkpoint and the backlog behind it, whether some process holds the relay's lease (an advisory
    /// lock is visible in <c>pg_locks</c> to every session), and whether the broker answers.
    /// </summary>
    public static async Task<RelayReport> InspectAsync(NpgsqlDataSource dataSource, string schema, string relay, BrokerConnection broker, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(broker);
        var checkpoints = new RelayCheckpoints(dataSource);
        var stored = await checkpoints.FindAsync(relay, ct).ConfigureAwait(false);
        var position = stored?.Position ?? GlobalPosition.Start;
        var backlog = await checkpoints.BacklogAsync(position, ct).ConfigureAwait(false);

        await using var locks = dataSource.CreateCommand("""
            SELECT EXISTS (SELECT 1 FROM pg_locks
                            WHERE locktype = 'advisory' AND granted AND objsubid = 1
                              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                              AND ((classid::bigint << 32) | objid::bigint) = $1)
            """);
        locks.Parameters.Add(new() { Value = AdvisoryLease.KeyFor(schema, relay) });
        var running = (bool)(await locks.ExecuteScalarAsync(ct).ConfigureAwait(false))!;

        try
        {
            using var probe = CancellationTokenSource.CreateLinkedTokenSource(ct);
            probe.CancelAfter(TimeSpan.FromSeconds(10));
            await broker.GetAsync(probe.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            broker.ReportFailure(e);
        }
        return new RelayReport(relay, position, stored?.UpdatedAt, backlog, running, broker.State);
    }
}
