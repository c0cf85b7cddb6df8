namespace Ledger.Application;

/// <summary>
/// Who sends a command, for which tenant, when and from where. The Host builds it from the token and the
/// request; the tenant never comes from a request body.
/// </summary>
public sealed record CommandContext(
    string TenantId,
    string Actor,
    DateTimeOffset Now,
    string CorrelationId,
    string? CausationId,
    string? TraceId,
    string Origin);
