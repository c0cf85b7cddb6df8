using System.Globalization;
using Ledger.Application.Invoicing.Events;
using Ledger.Application.Orders;
using Ledger.Projections.Invoicing;
using Ledger.Projections.OnMarten;
using Ledger.Projections.Orders;
using Npgsql;

namespace Ledger.Host.Backup;

/// <summary>
/// Read models against the events they have applied, in a restored database: each row-per-document model must have
/// one row for every creating event up to its projection's position (Marten's <c>mt_event_progression</c>), no more and
/// no fewer; a model behind the restored events is reported with its lag (the daemon catches up once a Host runs).
/// </summary>
internal static class ReadModelReconciliation
{
    private static readonly (string Projection, string View, string Applied, string[] CreatingEvents)[] Models =
    [
        (OrdersProjection.ProjectionName, "orders_rm", "status IS NOT NULL", [OrderEventCodec.Created]),
        (InvoiceRegisterProjection.ProjectionName, "invoice_register", "kind IS NOT NULL", [InvoiceEventCodec.Issued, CreditNoteEventCodec.Issued]),
    ];

    public static async Task<IReadOnlyList<(string Line, bool Agrees)>> RunAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        var results = new List<(string, bool)>();
        var highWater = await ScalarAsync(dataSource, "SELECT coalesce(max(seq_id), 0) FROM mt_events", [], ct);
        foreach (var (projection, view, applied, creating) in Models)
        {
            if (await ScalarAsync(dataSource, "SELECT count(*) FROM pg_class WHERE oid = to_regclass($1)", new object[] { view }, ct) == 0) continue;
            var position = (await new ProjectionPositions(dataSource).CurrentAsync(projection, ct)).Seq;
            var rows = await ScalarAsync(dataSource, $"SELECT count(*) FROM {view} WHERE {applied}", [], ct);
            var events = await ScalarAsync(dataSource, "SELECT count(DISTINCT stream_id) FROM mt_events WHERE type = ANY($1) AND seq_id <= $2",
                new object[] { StoredNames(creating), position }, ct);
            var lag = highWater - position;
            var state = lag > 0
                ? string.Create(CultureInfo.InvariantCulture, $" ({lag} events behind the restored log; a Host's daemon applies them)")
                : " (caught up)";
            results.Add((string.Create(CultureInfo.InvariantCulture,
                $"read model {projection}: {rows} rows for {events} {string.Join("/", creating)} events through position {position}") + state,
                rows == events));
        }
        return results;
    }

    /// <summary>What Marten's <c>type</c> column holds for every stored version of these event types (v2 of created: sealed personal data).</summary>
    private static string[] StoredNames(string[] eventTypes)
    {
        var shapes = Application.LedgerEventShapes.Register(new EventStore.MartenStore.EventShapes());
        return [.. eventTypes.SelectMany(shapes.AliasesOf)];
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource dataSource, string sql, IReadOnlyList<object> parameters, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var p in parameters) command.Parameters.Add(new() { Value = p });
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }
}
