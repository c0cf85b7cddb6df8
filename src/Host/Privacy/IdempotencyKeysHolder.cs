using Ledger.Application.Privacy;
using Npgsql;

namespace Ledger.Host.Privacy;

/// <summary>
/// The idempotency keys of writes that carried a subject's personal data: the row keeps the request's hash (of the name
/// and email among the rest) and its answer. Erasure deletes the row; a retry of that request after the erasure is then
/// a new request, which the order or invoice it created already answers with a conflict.
/// </summary>
internal sealed class IdempotencyKeysHolder : IPersonalDataHolder
{
    public string Name => "idempotency_keys";

    public async Task<int> PurgeAsync(NpgsqlConnection connection, string tenantId, string subjectId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand("DELETE FROM idempotency_keys WHERE tenant_id = $1 AND data_subject = $2", connection);
        command.Parameters.Add(new() { Value = tenantId });
        command.Parameters.Add(new() { Value = subjectId });
        return await command.ExecuteNonQueryAsync(ct);
    }
}
