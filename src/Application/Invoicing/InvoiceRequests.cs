using Ledger.Domain.Invoicing;
using Ledger.Domain.TaxIds;
using Ledger.EventStore.MartenStore;

namespace Ledger.Application.Invoicing;

/// <summary>
/// A request to issue an invoice, as the API or a reaction makes it. <paramref name="Series"/> defaults to the
/// issuer's invoice series; <paramref name="ExchangeRate"/>, when the currency is not the functional one, to the
/// tenant's rate for the issue date.
/// </summary>
public sealed record IssueInvoiceRequest(
    Guid InvoiceId,
    string? Series,
    Guid? OrderId,
    string? CustomerId,
    TaxIdInput? CustomerTaxId,
    RecipientPersonalData? Personal,
    string Currency,
    IReadOnlyList<InvoiceLine> Lines,
    decimal? ExchangeRate);

/// <summary>A tax id as sent, before it is checked.</summary>
public sealed record TaxIdInput(string Country, string Value)
{
    /// <summary>The checked tax id; a <see cref="ValidationError"/> with the check's code (<c>tax_id.invalid_nif</c>…) otherwise.</summary>
    public TaxId Check(string field)
    {
        var check = TaxIdValidator.Check(Country, Value);
        return check.TaxId ?? throw new ValidationError(check.ErrorCode!, $"The tax id is invalid: {check.Reason}",
            new Dictionary<string, string[]> { [field] = [check.Reason!] });
    }
}

/// <summary>
/// A request to credit an invoice. <paramref name="Lines"/> names the invoice lines and quantities to credit; null or
/// empty credits everything not yet credited. <paramref name="Series"/> defaults to the issuer's credit-note series.
/// </summary>
public sealed record IssueCreditNoteRequest(Guid CreditNoteId, Guid InvoiceId, string? Series, IReadOnlyList<CreditedLine>? Lines, string Reason);

/// <summary>
/// What an issue did: the document, its number, and the command's result on the document's stream. A document
/// already issued (a repeat) appended nothing; otherwise <see cref="Appended"/> is the append staged on the command's
/// session, whose position is known once the session has committed, which is when the sender reads it.
/// </summary>
public sealed record DocumentWritten(Guid DocumentId, InvoiceNumber Number, string StreamId, long Version, MartenAppend? Appended)
{
    public CommandResult Result => CommandResult.Staged(StreamId, Version, Appended);
}
