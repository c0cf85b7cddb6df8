using Npgsql;
using NpgsqlTypes;

namespace Ledger.Host.WritePath;

/// <summary>
/// What is remembered under a key: the fingerprint of the request that used it, when it claimed it, and its answer —
/// null while that request is still answering, or if it never could (the process died after the command committed).
/// </summary>
internal sealed record IdempotencyRecord(byte[] RequestHash, DateTimeOffset ClaimedAt, StoredResponse? Response);

/// <summary>
/// The <c>idempotency_keys</c> table (Host migration 0500). A key is claimed in the same transaction as the command's
/// append, and its answer added once the endpoint has answered. The primary key settles a race for one key: the
/// second insert waits for the first transaction and fails once it commits.
/// </summary>
internal static class IdempotencyRecords
{
    /// <summary>What is remembered under a key, as committed now; null if nothing (or only an expired row).</summary>
    public static async Task<IdempotencyRecord?> FindAsync(NpgsqlDataSource dataSource, string tenantId, string key, DateTimeOffset now, CancellationToken ct)
    {
        await using var find = dataSource.CreateCommand("""
            SELECT request_hash, created_at, status_code, response_headers::text, response_body
              FROM idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2 AND expires_at > $3
            """);
        find.Parameters.Add(new() { Value = tenantId });
        find.Parameters.Add(new() { Value = key });
        find.Parameters.Add(new() { Value = now });
        await using var reader = await find.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new IdempotencyRecord(
            reader.GetFieldValue<byte[]>(0),
            reader.GetFieldValue<DateTimeOffset>(1),
            reader.IsDBNull(2) ? null
                : new StoredResponse(reader.GetInt32(2), StoredResponse.ParseHeaders(reader.GetString(3)), reader.GetFieldValue<byte[]>(4)));
    }

    /// <summary>
    /// Records the key as used by this request (with its answer when known already). An expired row for the same key
    /// is replaced: after its window a key is new again.
    /// </summary>
    public static async Task ClaimAsync(
        WriteTransaction tx, string tenantId, string key, byte[] requestHash, StoredResponse? response,
        DateTimeOffset now, TimeSpan window, string? dataSubject, CancellationToken ct)
    {
        await using var batch = tx.Batch();
        var expired = new NpgsqlBatchCommand("DELETE FROM idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2 AND expires_at <= $3");
        expired.Parameters.Add(new() { Value = tenantId });
        expired.Parameters.Add(new() { Value = key });
        expired.Parameters.Add(new() { Value = now });
        var insert = new NpgsqlBatchCommand("""
            INSERT INTO idempotency_keys (tenant_id, idempotency_key, request_hash, status_code, response_headers, response_body, created_at, expires_at, data_subject)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """);
        insert.Parameters.Add(new() { Value = tenantId });
        insert.Parameters.Add(new() { Value = key });
        insert.Parameters.Add(new() { Value = requestHash });
        insert.Parameters.Add(new() { Value = (object?)response?.Status ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        insert.Parameters.Add(new() { Value = (object?)response?.HeadersJson() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Jsonb });
        insert.Parameters.Add(new() { Value = (object?)response?.Body ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bytea });
        insert.Parameters.Add(new() { Value = now });
        insert.Parameters.Add(new() { Value = now + window });
        insert.Parameters.Add(new() { Value = (object?)dataSubject ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        batch.BatchCommands.Add(expired);
        batch.BatchCommands.Add(insert);
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Adds the answer to a key claimed by this request's append.</summary>
    public static async Task AnswerAsync(NpgsqlDataSource dataSource, string tenantId, string key, StoredResponse response, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE idempotency_keys SET status_code = $3, response_headers = $4, response_body = $5
             WHERE tenant_id = $1 AND idempotency_key = $2 AND status_code IS NULL
            """);
        command.Parameters.Add(new() { Value = tenantId });
        command.Parameters.Add(new() { Value = key });
        command.Parameters.Add(new() { Value = response.Status });
        command.Parameters.Add(new() { Value = response.HeadersJson(), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new() { Value = response.Body });
        if (await command.ExecuteNonQueryAsync(ct) != 1)
            throw new InvalidOperationException("The idempotency key this request claimed is gone or already answered.");
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
