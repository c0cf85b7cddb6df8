using Ledger.EventStore.MartenStore;
using System.Text;
using Ledger.Application;
using Ledger.Application.Audit;
using Ledger.Host.Auth;
using Ledger.Host.Configuration;
using Ledger.Host.Http;

namespace Ledger.Host.WritePath;

/// <summary>
/// Builds audit entries from a request and writes the ones for refused commands, each in a small transaction of its
/// own: a refusal wrote nothing else, so its entry is all there is to commit.
/// </summary>
internal sealed partial class AuditRecorder(LedgerDataSources db, TimeProvider clock, IServiceProvider services, ILogger<AuditRecorder> logger)
{
    public const int MaxUserAgentLength = 256;

    public CommandContext Context(HttpContext http) => HttpCommandContext.From(http, clock);

    public static CommandAuditEntry Entry(
        HttpContext http, string entity, int status, string? code, IReadOnlyList<AuditedStream>? streams) => new(
        Action: ActionOf(http),
        Entity: entity,
        Result: status < 400 ? AuditResult.Success : AuditResult.Failure,
        Status: status < 400 ? null : status,
        Code: status < 400 ? null : code,
        Streams: streams,
        Client: ClientOf(http));

    /// <summary>Records a refused command. Never throws: a failure to record is logged, and the refusal still answered.</summary>
    public async Task RecordRefusalAsync(HttpContext http, WritePathMetadata path, int status, string code)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            var context = Context(http);
            var entity = path.EntityOf(http);
            var entry = AuditEventCodec.ToAppend(Entry(http, entity, status, code, null), context);
            // Not the request's token: a client that hangs up right after being refused does not erase the record.
            await WriteTransaction.AppendAuditEntryAsync(db.App, db.Schema, services.GetRequiredService<MartenEventStore>(),
                context.TenantId, entity, entry, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogNotRecorded(logger, e, status, code);
        }
    }

    /// <summary>The method and the route template: what was asked, without the ids or anything else a client typed.</summary>
    public static string ActionOf(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var template = (http.GetEndpoint() is RouteEndpoint route ? route.RoutePattern.RawText ?? "" : "").Trim('/');
        // A group's root route ("/api/orders" + "") reads back with a trailing slash: the same action either way.
        return $"{http.Request.Method} /{template}";
    }

    public static AuditClient ClientOf(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var address = http.Connection.RemoteIpAddress is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : null;
        return new AuditClient(address, UserAgent(http.Request.Headers.UserAgent.ToString()));
    }

    public static bool HasTenant(HttpContext http) =>
        http?.User.Identity?.IsAuthenticated == true && http.User.FindFirst(LedgerClaims.Tenant) is not null;

    // Printable ASCII only, bounded: a user agent is a client's free text.
    private static string? UserAgent(string raw)
    {
        if (raw.Length == 0) return null;
        var text = new StringBuilder(Math.Min(raw.Length, MaxUserAgentLength));
        foreach (var c in raw)
        {
            if (text.Length == MaxUserAgentLength) break;
            text.Append(c is >= ' ' and <= '~' ? c : '?');
        }
        return text.ToString();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit entry of a refused command ({Status} {Code}) could not be recorded")]
    private static partial void LogNotRecorded(ILogger logger, Exception exception, int status, string code);
}
