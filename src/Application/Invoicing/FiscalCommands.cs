namespace Ledger.Application.Invoicing;

/// <summary>An invoice to issue, as Wolverine carries it to <see cref="FiscalCommandHandler"/>.</summary>
public sealed record IssueInvoiceCommand(IssueInvoiceRequest Request, CommandContext Context)
{
    /// <summary>What a log line may say of the message: never its data (a customer's name and address).</summary>
    public override string ToString() => $"IssueInvoiceCommand {InvoiceStreams.Invoice(Request.InvoiceId)}";
}

/// <summary>A credit note to issue, as Wolverine carries it to <see cref="FiscalCommandHandler"/>.</summary>
public sealed record IssueCreditNoteCommand(IssueCreditNoteRequest Request, CommandContext Context)
{
    public override string ToString() => $"IssueCreditNoteCommand {InvoiceStreams.CreditNote(Request.CreditNoteId)}";
}
