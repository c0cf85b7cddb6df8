using System.Text.Json;
using Npgsql;

namespace Ledger.EventStore.Checkpoints;

/// <summary>What registering the configured key found.</summary>
public enum KeyRegistration
{
    /// <summary>It already was the active key.</summary>
    Active,

    /// <summary>It is new and now active: the first key, or the previous key was superseded (an explicit rotation).</summary>
    Rotated,

    /// <summary>A newer key has superseded it: this process must not sign with it (an old deployment, a stale config).</summary>
    Superseded,

    /// <summary>
    /// It is new, but another key is active and only an explicit rotation supersedes a live signer's key: it was not
    /// registered, and must not sign (a process pointed at the wrong key file).
    /// </summary>
    NotActive,
}

/// <summary>
/// The history of checkpoint signing keys (table <c>signing_keys</c>, append-only): each key's public half and when it
/// became active. A key is valid from its <c>valid_from</c> until the next key's; private keys are never stored here.
/// </summary>
public sealed class SigningKeyHistory(NpgsqlDataSource dataSource)
{
    public async Task<LedgerKeySet> ReadAsync(CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT kid, public_jwk->>'x', public_jwk->>'y', valid_from FROM signing_keys ORDER BY valid_from");
        var rows = new List<(string Kid, string X, string Y, DateTimeOffset From)>();
        await using (var r = await command.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                rows.Add((r.GetString(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3)));
        return new LedgerKeySet(rows.Select((k, i) => new LedgerPublicKey(k.Kid, k.X, k.Y, k.From,
            i + 1 < rows.Count ? rows[i + 1].From : null, Retired: i + 1 < rows.Count)).ToList());
    }

    /// <summary>
    /// Registers <paramref name="key"/> as the first key when the history is empty; otherwise only says whether it is the
    /// active one (<see cref="KeyRegistration.NotActive"/> for a new key: registering never supersedes a live signer's key).
    /// The second member is the active key's id when <paramref name="key"/> is not it.
    /// </summary>
    public Task<(KeyRegistration Outcome, string? PreviousKid)> RegisterAsync(CheckpointKey key, DateTimeOffset now, CancellationToken ct = default) =>
        RegisterAsync(key, now, supersede: false, ct);

    /// <summary>
    /// The explicit rotation (<c>ledger checkpoints rotate-key</c>): makes <paramref name="key"/> the active key unless it
    /// already is or was superseded. A new key is valid from <paramref name="now"/> (or just after the previous key's start,
    /// should clocks disagree), and the previous key's validity ends there. Serialised across processes.
    /// </summary>
    public Task<(KeyRegistration Outcome, string? PreviousKid)> RotateAsync(CheckpointKey key, DateTimeOffset now, CancellationToken ct = default) =>
        RegisterAsync(key, now, supersede: true, ct);

    private async Task<(KeyRegistration Outcome, string? PreviousKid)> RegisterAsync(CheckpointKey key, DateTimeOffset now, bool supersede, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var lockKeys = new NpgsqlCommand(
            "SELECT pg_advisory_xact_lock(hashtext('ledger.signing_keys:' || current_schema()))", connection, tx))
            await lockKeys.ExecuteNonQueryAsync(ct);

        string? latestKid = null;
        DateTimeOffset latestFrom = default;
        var known = false;
        await using (var read = new NpgsqlCommand(
            "SELECT kid, valid_from, kid = $1 FROM signing_keys ORDER BY valid_from", connection, tx))
        {
            read.Parameters.Add(new() { Value = key.Kid });
            await using var r = await read.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                (latestKid, latestFrom) = (r.GetString(0), r.GetFieldValue<DateTimeOffset>(1));
                known |= r.GetBoolean(2);
            }
        }
        if (latestKid == key.Kid) return (KeyRegistration.Active, null);
        if (known) return (KeyRegistration.Superseded, latestKid);
        if (latestKid is not null && !supersede) return (KeyRegistration.NotActive, latestKid);

        var validFrom = Chain.LedgerRecord.TruncateToMicroseconds(latestKid is not null && now <= latestFrom ? latestFrom.AddTicks(10) : now);
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO signing_keys (kid, alg, public_jwk, valid_from) VALUES ($1, 'ES256', $2::jsonb, $3)", connection, tx))
        {
            insert.Parameters.Add(new() { Value = key.Kid });
            insert.Parameters.Add(new() { Value = JsonSerializer.Serialize(new { kty = "EC", crv = "P-256", x = key.X, y = key.Y }) });
            insert.Parameters.Add(new() { Value = validFrom });
            await insert.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return (KeyRegistration.Rotated, latestKid);
    }

    /// <summary>The active key's id, or null before any key was registered.</summary>
    public async Task<string?> ActiveKidAsync(CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand("SELECT kid FROM signing_keys ORDER BY valid_from DESC LIMIT 1");
        return (string?)await command.ExecuteScalarAsync(ct);
    }
}
