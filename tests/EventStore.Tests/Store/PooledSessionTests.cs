using Ledger.EventStore.Connections;
using Ledger.EventStore.Leases;
using Ledger.TestSupport;
using Npgsql;

namespace Ledger.EventStore.Tests.Store;

/// <summary>
/// The application's pool does not reset a connection when it is handed out again (LedgerDataSource), so whatever a
/// session-level user leaves behind would reach the next user of that connection. A pool of one connection makes the
/// next user the same session.
/// </summary>
public sealed class PooledSessionTests : IAsyncLifetime
{
    private TestDatabase db = null!;
    private NpgsqlDataSource single = null!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync();
        single = LedgerDataSource.Create(new NpgsqlConnectionStringBuilder(db.AppConnectionString) { MaxPoolSize = 1 }.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await single.DisposeAsync();
        await db.DisposeAsync();
    }

    [Fact]
    public void The_application_pool_keeps_sessions_across_checkouts()
    {
        new NpgsqlConnectionStringBuilder(single.ConnectionString).NoResetOnClose.ShouldBeTrue();
    }

    [Fact]
    public async Task A_released_lease_leaves_no_advisory_lock_on_its_pooled_connection()
    {
        var lease = await AdvisoryLease.TryAcquireAsync(single, db.Schema, "projection:orders");
        lease.ShouldNotBeNull();
        int holder;
        await using (var other = await db.AdminDataSource.OpenConnectionAsync())
            holder = await AdvisoryLocksAsync(other, anyPid: true);
        holder.ShouldBe(1);

        await lease.DisposeAsync();

        await using var same = await single.OpenConnectionAsync();
        (await AdvisoryLocksAsync(same, anyPid: false)).ShouldBe(0);
        await using var again = await AdvisoryLease.TryAcquireAsync(db.AppDataSource, db.Schema, "projection:orders");
        again.ShouldNotBeNull();
    }

    private async Task<int> AdvisoryLocksAsync(NpgsqlConnection connection, bool anyPid)
    {
        await using var command = new NpgsqlCommand(
            "SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND objid = ($1::bigint & 4294967295)::oid " +
            (anyPid ? "" : "AND pid = pg_backend_pid()"), connection);
        command.Parameters.Add(new() { Value = AdvisoryLease.KeyFor(db.Schema, "projection:orders") });
        return (int)(await command.ExecuteScalarAsync())!;
    }
}
