using Wolverine.Attributes;

namespace Ledger.Application.Invoicing.Stamping;

/// <summary>
/// Stamp this invoice, issued at <paramref name="IssuedAt"/> (its <c>fiscal.invoice.issued</c> event's time, from which
/// the deadline runs): sent once per issued event by <see cref="StampingSubscription"/> to the durable stamping queue.
/// </summary>
[MessageIdentity("ledger.stamping.stamp_invoice")]
public sealed record StampInvoice(string TenantId, Guid InvoiceId, DateTimeOffset IssuedAt);

/// <summary>
/// Try once more to get the authority's stamp for an invoice that bears a contingency seal (or that could not be sealed
/// for a failure of Ledger's own): a scheduled message, <paramref name="Attempt"/> counting the tries so far (the backoff).
/// </summary>
/// <remarks>The identities are what Wolverine stores with each envelope: fixed, so renaming a class orphans nothing.</remarks>
[MessageIdentity("ledger.stamping.reconcile_invoice")]
public sealed record ReconcileInvoice(string TenantId, Guid InvoiceId, DateTimeOffset IssuedAt, int Attempt);

/// <summary>What is left to do for an invoice after a handling: nothing, or a reconciliation at <see cref="At"/>.</summary>
public sealed record StampingFollowUp(ReconcileInvoice Message, DateTimeOffset At);
