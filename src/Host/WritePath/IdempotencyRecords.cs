using Npgsql;
using NpgsqlTypes;

namespace Ledger.Host.WritePath;

/// <summary>A remembered write: the fingerprint of the request that used the key, and the answer it got.</summary>
internal sealed record IdempotencyRecord(byte[] RequestHash, StoredResponse Response);

/// <summary>
/// The <c>idempotency_keys</c> table (Host migration 0500). Rows are written only inside a write transaction,
/// together with the command's events and audit entry; callers hold the key's lock, so there is no race on a key.
/// </summary>
internal static class IdempotencyRecords
{
    /// <summary>Takes the key's lock, waiting for any request that holds it, then reads what is remembered under it.</summary>
    public static async Task<IdempotencyRecord?> LockAndFindAsync(WriteTransaction tx, string tenantId, string key, DateTimeOffset now, CancellationToken ct)
    {
        var find = new NpgsqlBatchCommand("""
            SELECT request_hash, status_code, response_headers::text, response_body
              FROM idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2 AND expires_at > $3
            """);
        find.Parameters.Add(new() { Value = tenantId });
        find.Parameters.Add(new() { Value = key });
        find.Parameters.Add(new() { Value = now });
        return await tx.LockThenReadAsync(["idempotency", tenantId, key], find, async reader =>
            await reader.ReadAsync(ct)
                ? new IdempotencyRecord(
                    reader.GetFieldValue<byte[]>(0),
                    new StoredResponse(reader.GetInt32(1), StoredResponse.ParseHeaders(reader.GetString(2)), reader.GetFieldValue<byte[]>(3)))
                : null, ct);
    }

    /// <summary>Remembers the answer; an expired row for the same key is replaced (the key is new again).</summary>
    public static async Task SaveAsync(
        WriteTransaction tx, string tenantId, string key, byte[] requestHash, StoredResponse response,
        DateTimeOffset now, TimeSpan window, CancellationToken ct)
    {
        await using var batch = tx.Batch();
        var expired = new NpgsqlBatchCommand("DELETE FROM idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2 AND expires_at <= $3");
        expired.Parameters.Add(new() { Value = tenantId });
        expired.Parameters.Add(new() { Value = key });
        expired.Parameters.Add(new() { Value = now });
        var insert = new NpgsqlBatchCommand("""
            INSERT INTO idempotency_keys (tenant_id, idempotency_key, request_hash, status_code, response_headers, response_body, created_at, expires_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """);
        insert.Parameters.Add(new() { Value = tenantId });
        insert.Parameters.Add(new() { Value = key });
        insert.Parameters.Add(new() { Value = requestHash });
        insert.Parameters.Add(new() { Value = response.Status });
        insert.Parameters.Add(new() { Value = response.HeadersJson(), NpgsqlDbType = NpgsqlDbType.Jsonb });
        insert.Parameters.Add(new() { Value = response.Body });
        insert.Parameters.Add(new() { Value = now });
        insert.Parameters.Add(new() { Value = now + window });
        batch.BatchCommands.Add(expired);
        batch.BatchCommands.Add(insert);
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Deletes up to <paramref name="batch"/> expired keys; returns how many went.</summary>
    public static async Task<int> PurgeExpiredAsync(NpgsqlDataSource dataSource, DateTimeOffset now, int batch, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            DELETE FROM idempotency_keys WHERE (tenant_id, idempotency_key) IN (
                SELECT tenant_id, idempotency_key FROM idempotency_keys WHERE expires_at <= $1 LIMIT $2)
            """);
        command.Parameters.Add(new() { Value = now });
        command.Parameters.Add(new() { Value = batch });
        return await command.ExecuteNonQueryAsync(ct);
    }
}
