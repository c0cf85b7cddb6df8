using System.Text.RegularExpressions;

namespace Ledger.Host.WritePath;

/// <summary>
/// Marks endpoints as going through the write path (audit entry, idempotency key), and says what entity a command is
/// about when nothing was appended: <c>{EntityType}-{route value}</c>. An attribute on an endpoint class (or on one
/// endpoint, which then names its own entity).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed partial class WritePathMetadata(string entityType, string routeKey = "id") : Attribute
{
    public string EntityType { get; } = entityType;

    public string RouteKey { get; } = routeKey;

    /// <summary>The entity named by the request's route (<c>order-0192…</c>), or only its kind when the route names none.</summary>
    public string EntityOf(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var value = http.Request.RouteValues.TryGetValue(RouteKey, out var raw) ? raw as string : null;
        if (Guid.TryParseExact(value, "D", out var id)) return $"{EntityType}-{id:D}";
        // Anything else a client typed is named only when it is a plain identifier: an audit record holds no free text.
        return value is not null && PlainId().IsMatch(value) ? $"{EntityType}-{value}" : EntityType;
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,100}$")]
    private static partial Regex PlainId();
}

/// <summary>A write-method endpoint that changes nothing (a POST that only computes or reads) and so is not audited.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NotAWrite(string reason) : Attribute
{
    public string Reason { get; } = reason;
}
