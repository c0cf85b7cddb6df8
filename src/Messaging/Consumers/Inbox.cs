using Npgsql;

namespace Ledger.Messaging.Consumers;

/// <summary>
/// The inbox (table <c>inbox</c>): a message id recorded per consumer in the same transaction as the message's
/// effects. Two deliveries of one message racing each other serialize on the row: the second waits for the
/// first to commit, then finds the row and changes nothing.
/// </summary>
public static class Inbox
{
    /// <summary>Records the message; false if this consumer already applied it.</summary>
    public static async Task<bool> TryRecordAsync(MessageTransaction tx, string tenantId, string consumer, string messageId, string messageType, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        await using var command = new NpgsqlCommand("""
            INSERT INTO inbox (tenant_id, consumer, message_id, message_type) VALUES ($1, $2, $3, $4)
            ON CONFLICT (tenant_id, consumer, message_id) DO NOTHING
            """, tx.Connection, tx.Transaction);
        command.Parameters.Add(new() { Value = tenantId });
        command.Parameters.Add(new() { Value = consumer });
        command.Parameters.Add(new() { Value = messageId });
        command.Parameters.Add(new() { Value = messageType });
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
    }

    /// <summary>Whether a consumer applied a message (tests, diagnostics).</summary>
    public static async Task<bool> ContainsAsync(NpgsqlDataSource dataSource, string tenantId, string consumer, string messageId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var command = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM inbox WHERE tenant_id = $1 AND consumer = $2 AND message_id = $3)");
        command.Parameters.Add(new() { Value = tenantId });
        command.Parameters.Add(new() { Value = consumer });
        command.Parameters.Add(new() { Value = messageId });
        return (bool)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }
}
