using Ledger.Domain.TaxIds;

namespace Ledger.Domain.Invoicing;

/// <summary>
/// Who an invoice is made out to, as fiscal law requires it to be kept: the customer's id in Ledger (when the invoice
/// comes from an order) and tax id. An invoice without a tax id is a simplified invoice (a ticket).
/// </summary>
public sealed record InvoiceCustomer(string? CustomerId, TaxId? TaxId);

/// <summary>
/// What an invoice says about a person (the recipient's name and address), kept apart from the fiscal facts so it
/// can be encrypted with a per-person key and erased (crypto-shredding) while the tax facts stay readable.
/// </summary>
public sealed record RecipientPersonalData(string? Name, string? Address);
