using System.Text.Json;
using Ledger.EventStore.Chain;

namespace Ledger.Host.Auditing;

/// <summary>
/// A page of <c>GET /api/ledger/entries</c>, written by hand so each record goes out as the exact canonical bytes
/// that were hashed (a serializer would re-escape its strings): the same entry shape as a line of an export.
/// </summary>
public sealed class EntriesResult(string tenantId, long from, long to, long head, IReadOnlyList<ChainEntry> entries, long? nextFrom) : Http.UndescribedBody
{
    public override async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(httpContext.Response.Body);
        writer.WriteStartObject();
        writer.WriteString("tenant_id", tenantId);
        writer.WriteNumber("from", from);
        writer.WriteNumber("to", to);
        writer.WriteNumber("head", head);
        writer.WriteStartArray("entries");
        foreach (var entry in entries)
        {
            ChainEntryJson.Write(writer, entry);
            if (writer.BytesPending > 32 * 1024) await writer.FlushAsync(httpContext.RequestAborted);
        }
        writer.WriteEndArray();
        if (nextFrom is { } next) writer.WriteNumber("next_from", next);
        else writer.WriteNull("next_from");
        writer.WriteEndObject();
        await writer.FlushAsync(httpContext.RequestAborted);
    }
}
