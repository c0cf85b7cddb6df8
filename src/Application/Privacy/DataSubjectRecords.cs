using Ledger.Application.Invoicing.Events;
using Ledger.Application.Orders;
using Ledger.EventStore;
using Ledger.EventStore.Privacy;
using Npgsql;

namespace Ledger.Application.Privacy;

/// <summary>An event that holds personal data about a subject: where it is, and its personal record.</summary>
public sealed record DataSubjectRecord(GlobalPosition Position, string StreamId, string EventType, int TypeVersion, DateTimeOffset OccurredAt,
    PersonalRecord Personal);

/// <summary>
/// Finds the events that hold personal data about one data subject in a tenant: those that sealed it under the
/// subject's keys (they name the subject in their <c>personal</c> member), and those written before encryption, which
/// name it only as their customer. The event types that carry personal data are the orders' created and the
/// invoices' issued events. A scan of the tenant's events of those types: erasure and access requests are rare, and
/// an index for them would cost every append.
/// </summary>
public static class DataSubjectRecords
{
    public static async Task<IReadOnlyList<DataSubjectRecord>> FindAsync(NpgsqlConnection connection, string tenantId, string subjectId,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand("""
            SELECT seq_id, stream_id, type, timestamp, data FROM mt_events
             WHERE tenant_id = $1 AND type = ANY($2) AND jsonb_typeof(data->'personal') = 'object'
               AND (data->'personal'->>'subject_id' = $3
                    OR (NOT data->'personal' ? 'subject_id' AND coalesce(data->>'customer_id', data->'customer'->>'customer_id') = $3))
             ORDER BY seq_id
            """, connection);
        command.Parameters.Add(new() { Value = tenantId });
        command.Parameters.Add(new() { Value = ByAlias.Keys.ToArray() });
        command.Parameters.Add(new() { Value = subjectId });
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var records = new List<DataSubjectRecord>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var (type, version) = ByAlias[reader.GetString(2)];
            using var data = System.Text.Json.JsonDocument.Parse(reader.GetString(4));
            if (PersonalRecord.Read(data.RootElement, subjectId) is { } personal && personal.SubjectId == subjectId)
                records.Add(new DataSubjectRecord(new GlobalPosition(reader.GetInt64(0)), reader.GetString(1), type, version,
                    reader.GetFieldValue<DateTimeOffset>(3), personal));
        }
        return records;
    }

    /// <summary>Every stored event type and version whose data may hold a <c>personal</c> member.</summary>
    public static IReadOnlyList<(string Type, int Version)> PersonalEventTypes { get; } =
        [(OrderEventCodec.Created, 1), (OrderEventCodec.Created, 2), (InvoiceEventCodec.Issued, 1), (InvoiceEventCodec.Issued, 2)];

    // Each by the name Marten's type column holds for it.
    private static readonly Dictionary<string, (string Type, int Version)> ByAlias =
        PersonalEventTypes.ToDictionary(t => EventStore.MartenStore.EventShapes.Alias(t.Type, t.Version));
}
