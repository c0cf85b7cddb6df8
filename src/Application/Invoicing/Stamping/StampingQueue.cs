using Npgsql;

namespace Ledger.Application.Invoicing.Stamping;

/// <summary>A claimed item of the queue: whose, which phase, how many attempts failed so far, when it was issued.</summary>
public sealed record ClaimedWork(string TenantId, Guid DocumentId, string Phase, int Attempts, DateTimeOffset IssuedAt);

/// <summary>
/// The stamping work queue (table <c>fiscal_stamping_queue</c>), filled by a trigger on the append of each
/// <c>fiscal.invoice.issued</c> event, in the appending transaction. Workers claim due items with
/// <c>FOR UPDATE SKIP LOCKED</c> and a lease, so concurrent workers (in one process or several) take different items
/// and a dead worker's items return after its lease. Claims only reduce duplicate calls to the authority; that each
/// answer is recorded once is guaranteed by the invoice stream's expected version.
/// </summary>
public sealed class StampingQueue(NpgsqlDataSource dataSource)
{
    public const string Pending = "pending";
    public const string Contingency = "contingency";

    public async Task<IReadOnlyList<ClaimedWork>> ClaimDueAsync(string workerId, DateTimeOffset now, TimeSpan lease, int max, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE fiscal_stamping_queue q SET claimed_by = $1, claimed_until = $2::timestamptz + $3::interval
              FROM (SELECT tenant_id, document_id FROM fiscal_stamping_queue
                     WHERE next_attempt_at <= $2 AND (claimed_until IS NULL OR claimed_until < $2)
                     ORDER BY next_attempt_at
                     LIMIT $4
                     FOR UPDATE SKIP LOCKED) due
             WHERE q.tenant_id = due.tenant_id AND q.document_id = due.document_id
            RETURNING q.tenant_id, q.document_id, q.phase, q.attempts, q.issued_at
            """);
        command.Parameters.Add(new() { Value = workerId });
        command.Parameters.Add(new() { Value = now });
        command.Parameters.Add(new() { Value = lease });
        command.Parameters.Add(new() { Value = max });
        var claimed = new List<ClaimedWork>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            claimed.Add(new ClaimedWork(reader.GetString(0), reader.GetGuid(1), reader.GetString(2), reader.GetInt32(3),
                reader.GetFieldValue<DateTimeOffset>(4)));
        return claimed;
    }

    /// <summary>The authority answered for good (or nothing is left to do): the item leaves the queue.</summary>
    public async Task CompleteAsync(ClaimedWork work, string workerId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var command = dataSource.CreateCommand(
            "DELETE FROM fiscal_stamping_queue WHERE tenant_id = $1 AND document_id = $2 AND claimed_by = $3");
        command.Parameters.Add(new() { Value = work.TenantId });
        command.Parameters.Add(new() { Value = work.DocumentId });
        command.Parameters.Add(new() { Value = workerId });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Releases the claim and sets when to try again, in which phase, and why the last attempt failed.</summary>
    public async Task RescheduleAsync(ClaimedWork work, string workerId, string phase, int attempts, DateTimeOffset next, string? error, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var command = dataSource.CreateCommand("""
            UPDATE fiscal_stamping_queue
               SET phase = $4, attempts = $5, next_attempt_at = $6, last_error = $7, claimed_by = NULL, claimed_until = NULL
             WHERE tenant_id = $1 AND document_id = $2 AND claimed_by = $3
            """);
        command.Parameters.Add(new() { Value = work.TenantId });
        command.Parameters.Add(new() { Value = work.DocumentId });
        command.Parameters.Add(new() { Value = workerId });
        command.Parameters.Add(new() { Value = phase });
        command.Parameters.Add(new() { Value = attempts });
        command.Parameters.Add(new() { Value = next });
        command.Parameters.Add(new() { Value = (object?)error ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>When the earliest unclaimed item falls due, to sleep until then; null when the queue is empty.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT min(next_attempt_at) FROM fiscal_stamping_queue WHERE claimed_by IS NULL");
        return await command.ExecuteScalarAsync(ct) is DateTime at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
    }

    /// <summary>Items per phase, optionally of one tenant: for health, metrics and tests.</summary>
    public async Task<IReadOnlyDictionary<string, int>> CountAsync(string? tenantId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT phase, count(*)::int FROM fiscal_stamping_queue WHERE $1::text IS NULL OR tenant_id = $1 GROUP BY phase");
        command.Parameters.Add(new() { Value = (object?)tenantId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        var counts = new Dictionary<string, int>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) counts[reader.GetString(0)] = reader.GetInt32(1);
        return counts;
    }
}
