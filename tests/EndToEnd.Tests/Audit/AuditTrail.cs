using System.Text.Json;
using Ledger.Application.Audit;
using Ledger.TestSupport;
using Npgsql;

namespace Ledger.EndToEnd.Tests.Audit;

/// <summary>One stored event of a tenant's chain, with the audit entry it holds when it is one.</summary>
public sealed record ChainRow(long ChainSeq, ulong TxId, string StreamId, string EventType, string Data, string Metadata)
{
    public bool IsAudit => EventType == AuditEventCodec.CommandRecorded;

    public JsonElement Json => JsonDocument.Parse(Data).RootElement;

    public string Result => Json.GetProperty("result").GetString()!;
    public int? Status => Json.TryGetProperty("status", out var s) ? s.GetInt32() : null;
    public string? Code => Json.TryGetProperty("code", out var c) ? c.GetString() : null;
    public string Action => Json.GetProperty("action").GetString()!;
    public string Entity => Json.GetProperty("entity").GetString()!;
    public string Actor => JsonDocument.Parse(Metadata).RootElement.GetProperty("actor").GetString()!;
}

/// <summary>
/// Reads a tenant's whole chain straight from the tables, in chain order, as an auditor would see it, once every event
/// the tenant has committed is sealed (the Host's sealer is a moment behind its appends). <c>TxId</c> is the id of the
/// transaction that wrote the event (<c>mt_events.xmin</c>), to tell what committed together.
/// </summary>
public static class AuditTrail
{
    public static async Task<IReadOnlyList<ChainRow>> ChainAsync(this TestDatabase db, string tenant)
    {
        await Eventually.Until(() => db.ScalarAsync("""
            SELECT (SELECT count(*) FROM ledger_records WHERE tenant_id = $1) - (SELECT count(*) FROM ledger_chain WHERE tenant_id = $1)
            """, tenant), unsealed => unsealed == 0, TimeSpan.FromSeconds(30), "the tenant's events to be sealed");
        await using var command = db.AppDataSource.CreateCommand("""
            SELECT l.chain_seq, (e.xmin::text)::bigint, l.stream_id, l.event_type, l.data::text, l.metadata::text
              FROM ledger_events l JOIN mt_events e ON e.seq_id = l.seq WHERE l.tenant_id = $1 ORDER BY l.chain_seq
            """);
        command.Parameters.Add(new() { Value = tenant });
        var rows = new List<ChainRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(new ChainRow(reader.GetInt64(0), (ulong)reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5)));
        return rows;
    }

    public static async Task<IReadOnlyList<ChainRow>> AuditEntriesAsync(this TestDatabase db, string tenant) =>
        (await db.ChainAsync(tenant)).Where(r => r.IsAudit).ToList();

    public static async Task<long> ScalarAsync(this TestDatabase db, string sql, params object[] values)
    {
        await using var command = db.AdminDataSource.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
