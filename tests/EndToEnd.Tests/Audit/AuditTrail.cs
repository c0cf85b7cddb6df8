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

/// <summary>Reads a tenant's whole chain straight from the table, in chain order, as an auditor would see it.</summary>
public static class AuditTrail
{
    public static async Task<IReadOnlyList<ChainRow>> ChainAsync(this TestDatabase db, string tenant)
    {
        await using var command = db.AppDataSource.CreateCommand("""
            SELECT chain_seq, (tx_id::text)::bigint, stream_id, event_type, data::text, metadata::text
              FROM events WHERE tenant_id = $1 ORDER BY chain_seq
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
