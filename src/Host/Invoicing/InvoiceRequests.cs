using System.Text.Json;

namespace Ledger.Host.Invoicing;

// Bodies of the invoicing commands as clients send them (snake_case). Amounts, quantities and rates are JsonElement
// so a JSON number is refused with its own code: they travel as decimal strings, never as numbers.

public sealed record IssueInvoiceBody
{
    public string? InvoiceId { get; init; }
    public string? Series { get; init; }
    public InvoiceCustomerBody? Customer { get; init; }
    public required string Currency { get; init; }
    public JsonElement? ExchangeRate { get; init; }
    public required IReadOnlyList<InvoiceLineBody> Lines { get; init; }
}

/// <summary>The customer: an id, a tax id (checked by its country's rules) and personal data kept apart.</summary>
public sealed record InvoiceCustomerBody
{
    public string? CustomerId { get; init; }
    public TaxIdBody? TaxId { get; init; }
    public string? Name { get; init; }
    public string? Address { get; init; }
}

public sealed record TaxIdBody
{
    public required string Country { get; init; }
    public required string Value { get; init; }
}

public sealed record InvoiceLineBody
{
    public required string Description { get; init; }
    public required JsonElement Quantity { get; init; }
    public required JsonElement UnitPrice { get; init; }
    public JsonElement? DiscountPercent { get; init; }
    public required string TaxCategory { get; init; }
}

public sealed record IssueCreditNoteBody
{
    public string? CreditNoteId { get; init; }
    public string? Series { get; init; }
    public required string Reason { get; init; }

    /// <summary>The invoice lines and quantities to credit; absent or empty credits everything not yet credited.</summary>
    public IReadOnlyList<CreditedLineBody>? Lines { get; init; }
}

public sealed record CreditedLineBody
{
    public required int Line { get; init; }
    public required JsonElement Quantity { get; init; }
}
