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

/// <summary>What revoking a key found.</summary>
public enum KeyRevocation
{
    /// <summary>The key is revoked from the time given.</summary>
    Revoked,

    /// <summary>It was revoked before (at the time reported): a revocation is final and its time never moves.</summary>
    AlreadyRevoked,

    /// <summary>No key of the history has that id.</summary>
    UnknownKey,
}

/// <summary>
/// The history of checkpoint signing keys (table <c>signing_keys</c>, append-only): each key's public half and when it
/// became active. A key is valid from its <c>valid_from</c> until the next key's, and never from its revocation on
/// (table <c>signing_key_revocations</c>); private keys are never stored here.
/// </summary>
public sealed class SigningKeyHistory(NpgsqlDataSource dataSource)
{
    public async Task<LedgerKeySet> ReadAsync(CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT k.kid, k.public_jwk->>'x', k.public_jwk->>'y', k.valid_from, r.revoked_at
              FROM signing_keys k LEFT JOIN signing_key_revocations r ON r.kid = k.kid
             ORDER BY k.valid_from
            """);
        var rows = new List<(string Kid, string X, string Y, DateTimeOffset From, DateTimeOffset? Revoked)>();
        await using (var r = await command.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                rows.Add((r.GetString(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3),
                    r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4)));
        return new LedgerKeySet(rows.Select((k, i) => new LedgerPublicKey(k.Kid, k.X, k.Y, k.From,
            i + 1 < rows.Count ? rows[i + 1].From : null, Retired: i + 1 < rows.Count, k.Revoked)).ToList());
    }

    /// <summary>
    /// Revokes key <paramref name="kid"/> from <paramref name="revokedAt"/> on, which may lie in the past (the key leaked
    /// then): every signature it made from that time fails verification, the checkpoints it signed then included.
    /// Revoking the active key stops all signing until <c>ledger checkpoints rotate-key</c> makes a new key active.
    /// The second member is the revocation time in force.
    /// </summary>
    public async Task<(KeyRevocation Outcome, DateTimeOffset? RevokedAt)> RevokeAsync(
        string kid, DateTimeOffset revokedAt, string reason, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kid);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        await using var command = dataSource.CreateCommand("""
            WITH added AS (
                INSERT INTO signing_key_revocations (kid, revoked_at, reason)
                SELECT kid, $2, $3 FROM signing_keys WHERE kid = $1
                ON CONFLICT (kid) DO NOTHING
                RETURNING revoked_at)
            SELECT (SELECT revoked_at FROM added), (SELECT revoked_at FROM signing_key_revocations WHERE kid = $1),
                   EXISTS (SELECT 1 FROM signing_keys WHERE kid = $1)
            """);
        command.Parameters.Add(new() { Value = kid });
        command.Parameters.Add(new() { Value = Chain.LedgerRecord.TruncateToMicroseconds(revokedAt) });
        command.Parameters.Add(new() { Value = reason });
        await using var r = await command.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        if (!r.GetBoolean(2)) return (KeyRevocation.UnknownKey, null);
        return r.IsDBNull(0)
            ? (KeyRevocation.AlreadyRevoked, r.GetFieldValue<DateTimeOffset>(1))
            : (KeyRevocation.Revoked, r.GetFieldValue<DateTimeOffset>(0));
    }

    /// <summary>The reason each revoked key was revoked for, by key id (for the entries each tenant's chain records).</summary>
    public async Task<IReadOnlyDictionary<string, string>> RevocationReasonsAsync(CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand("SELECT kid, reason FROM signing_key_revocations");
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) reasons[r.GetString(0)] = r.GetString(1);
        return reasons;
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

    /// <summary>The active key's id: null before any key was registered, and once the latest key is revoked (nothing signs then).</summary>
    public async Task<string?> ActiveKidAsync(CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT latest.kid FROM (SELECT kid FROM signing_keys ORDER BY valid_from DESC LIMIT 1) latest
             WHERE NOT EXISTS (SELECT 1 FROM signing_key_revocations r WHERE r.kid = latest.kid)
            """);
        return (string?)await command.ExecuteScalarAsync(ct);
    }
}
