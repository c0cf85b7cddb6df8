using Npgsql;

namespace Ledger.EventStore.Leases;

/// <summary>
/// "Only one process does this at a time" for background roles (a projection, the relay): a session-level
/// PostgreSQL advisory lock held on a connection of its own. If the holder dies its connection closes and
/// the lock is free at once, so another process takes over on its next attempt — no lease timeouts to tune.
/// </summary>
public sealed class AdvisoryLease : IAsyncDisposable
{
    private readonly NpgsqlConnection connection;

    private AdvisoryLease(NpgsqlConnection connection, string name)
    {
        this.connection = connection;
        Name = name;
    }

    public string Name { get; }

    /// <summary>Still held? False once the connection broke (the database restarted, the network failed).</summary>
    public bool IsHeld => connection.FullState == System.Data.ConnectionState.Open;

    /// <summary>Takes the lease if it is free; null if another session holds it. Never waits.</summary>
    public static async Task<AdvisoryLease?> TryAcquireAsync(NpgsqlDataSource dataSource, string schema, string name, CancellationToken ct = default)
    {
        var key = KeyFor(schema, name);
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection);
            command.Parameters.Add(new() { Value = key });
            if ((bool)(await command.ExecuteScalarAsync(ct))!)
                return new AdvisoryLease(connection, name);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }

    /// <summary>Checks the lease's connection is alive (a cheap round trip); a holder calls it between batches.</summary>
    public async Task<bool> StillHeldAsync(CancellationToken ct = default)
    {
        if (!IsHeld) return false;
        try
        {
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(ct);
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    /// <summary>A stable 63-bit lock key per schema and role name.</summary>
    public static long KeyFor(string schema, string name) =>
        AdvisoryLockKey.For($"ledger.lease:{schema}:{name}") & long.MaxValue;

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (IsHeld)
            {
                // Every session-level lock of this connection, not only ours: with the pool's reset turned off
                // (LedgerDataSource) nothing else would release a lock left on a connection that goes back to the pool.
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", connection);
                await command.ExecuteNonQueryAsync();
            }
        }
        catch (NpgsqlException)
        {
            // The connection is gone, and with it the lock.
        }
        await connection.DisposeAsync();
    }
}
