using Ledger.TestSupport;
using Npgsql;

namespace Ledger.Projections.Tests.Infrastructure;

/// <summary>
/// Holds an advisory lock that the test projection's statement for a "block" event waits on, so a daemon's batch
/// stops half applied (its earlier statements done, nothing committed) until the lock is released.
/// </summary>
public sealed class Blocker : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;

    private Blocker(NpgsqlConnection connection, long key)
    {
        _connection = connection;
        Key = key;
    }

    public long Key { get; }

    public static async Task<Blocker> HoldAsync(TestDatabase db)
    {
        var key = Random.Shared.NextInt64(1, long.MaxValue);
        var connection = await db.AdminDataSource.OpenConnectionAsync();
        await using var take = new NpgsqlCommand("SELECT pg_advisory_lock($1)", connection);
        take.Parameters.Add(new() { Value = key });
        await take.ExecuteNonQueryAsync();
        return new Blocker(connection, key);
    }

    /// <summary>Waits until a session of <paramref name="applicationName"/> is stuck on the lock.</summary>
    public async Task WaitUntilBlockingAsync(TestDatabase db, string applicationName) =>
        await Eventually.Until(() => db.AdminDataSource.ScalarAsync<long>("""
            SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
             WHERE l.locktype = 'advisory' AND NOT l.granted AND a.application_name = $1
            """, applicationName), n => n > 0, TimeSpan.FromSeconds(30), "a batch to block on the advisory lock");

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
}
