namespace Ledger.Application.Audit;

/// <summary>
/// What the audit trail keeps about one command, accepted or refused: the data of a
/// <c>ledger.audit.command_recorded</c> v1 event. Tenant, time and actor are the event's own <c>tenant_id</c>,
/// <c>occurred_at</c> and <c>metadata.actor</c>, so they are not repeated here.
/// </summary>
/// <param name="Action">What was asked, as the API names it: the method and route template (<c>POST /api/orders/{id}/payments</c>).</param>
/// <param name="Entity">The stream the command was about (<c>order-…</c>), or only its kind (<c>order</c>) when no id was known.</param>
/// <param name="Result">Whether the command was accepted.</param>
/// <param name="Status">
/// The HTTP status a refused command was answered with. Absent on success: an accepted command's entry commits with its
/// events, before the answer exists.
/// </param>
/// <param name="Code">Why it was refused: the stable problem code (<c>order.not_payable</c>); absent on success.</param>
/// <param name="Streams">What an accepted command appended: each stream and its version afterwards; absent when nothing was appended.</param>
/// <param name="Client">
/// Where the request came from. Grouped apart from the facts because an address and a user agent can identify a
/// person: this group is what crypto-shredding will encrypt.
/// </param>
public sealed record CommandAuditEntry(
    string Action,
    string Entity,
    AuditResult Result,
    int? Status,
    string? Code,
    IReadOnlyList<AuditedStream>? Streams,
    AuditClient Client);

public enum AuditResult
{
    Success,
    Failure,
}

/// <summary>A stream an accepted command appended to, and its version after the command.</summary>
public sealed record AuditedStream(string StreamId, long Version);

/// <summary>The client's network address and user agent as the Host saw them; either may be unknown.</summary>
public sealed record AuditClient(string? Address, string? UserAgent);
