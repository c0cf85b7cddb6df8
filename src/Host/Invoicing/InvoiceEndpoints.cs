using Ledger.Application.Invoicing;
using Ledger.Application.Invoicing.VeriFactu;
using Ledger.EventStore;
using Ledger.Host.Auth;
using Ledger.Host.Errors;
using Ledger.Host.Http;
using Ledger.Host.WritePath;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine;
using Wolverine.Http;

namespace Ledger.Host.Invoicing;

/// <summary>
/// Invoices, credit notes and the VERI*FACTU chain, as Wolverine HTTP endpoints. Each handler: parse and validate
/// (400), build the request with the tenant and actor from the token, call the application, answer. Writes go through
/// the write path (audit entry, Idempotency-Key), so an issue's events commit with its audit entry. Bodies are read by
/// Ledger's strict <see cref="JsonBody"/>, as the order resource's (<see cref="Orders.OrderEndpoints"/>).
/// </summary>
[Tags("Invoices")]
[WritePathMetadata("invoice")]
public static class InvoiceEndpoints
{
    public const int MaxPage = 500;

    [WolverinePost("/api/invoices", OperationId = "issueInvoice"), EndpointSummary("Issue an invoice")]
    [Authorize(Policy = InvoicingServices.WriteInvoices), AcceptsJson(typeof(IssueInvoiceBody))]
    public static async Task<Results<Created<DocumentWrittenView>, Ok<DocumentWrittenView>>> Issue(
        HttpContext http, IMessageBus bus, TimeProvider clock, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<IssueInvoiceBody>(http.Request, ct);
        var context = HttpCommandContext.From(http, clock);
        var request = InvoiceRequestMapping.Issue(body, context);
        if (request is { Personal: not null, CustomerId: { } subject }) Privacy.DataSubjectOfRequest.Set(http, subject);
        var written = await Send(http, bus, new IssueInvoiceCommand(request, context), InvoiceStreams.Invoice(request.InvoiceId), ct);
        return Answer(http, written, $"/api/invoices/{written.DocumentId:D}");
    }

    [WolverineGet("/api/invoices/{id}", OperationId = "getInvoice"), EndpointSummary("Get an invoice or credit note")]
    [Authorize(Policy = InvoicingServices.ReadInvoices)]
    public static async Task<Results<Ok<InvoiceView>, ProblemHttpResult>> Get(string id, HttpContext http, FiscalDocuments documents, CancellationToken ct)
    {
        var invoiceId = InvoiceRequestMapping.Id(id);
        // Another tenant's invoice is simply not found in this tenant: its existence is not disclosed.
        var snapshot = await documents.InvoiceAsync(http.User.TenantId(), invoiceId, ct);
        if (snapshot is null)
            return Problems.Result(StatusCodes.Status404NotFound, "invoice.not_found", "Invoice not found");
        http.Response.Headers.ETag = ETags.Of(snapshot.Version);
        return TypedResults.Ok(InvoiceView.From(snapshot, await Privacy.PersonalDataView.ForCallerAsync(http, snapshot.Personal, ct)));
    }

    [WolverinePost("/api/invoices/{id}/credit-notes", OperationId = "issueCreditNote"), EndpointSummary("Issue a credit note for an invoice")]
    [Authorize(Policy = InvoicingServices.WriteInvoices), AcceptsJson(typeof(IssueCreditNoteBody))]
    public static async Task<Results<Created<DocumentWrittenView>, Ok<DocumentWrittenView>>> Credit(
        string id, HttpContext http, IMessageBus bus, TimeProvider clock, CancellationToken ct)
    {
        var invoiceId = InvoiceRequestMapping.Id(id);
        var body = await JsonBody.ReadAsync<IssueCreditNoteBody>(http.Request, ct);
        var context = HttpCommandContext.From(http, clock);
        var request = InvoiceRequestMapping.CreditNote(invoiceId, body, context);
        var written = await Send(http, bus, new IssueCreditNoteCommand(request, context), InvoiceStreams.Invoice(invoiceId), ct);
        return Answer(http, written, $"/api/invoices/{invoiceId:D}");
    }

    /// <summary>The tenant's chain from record <c>after</c> + 1, at most <c>limit</c> records (default 100).</summary>
    [WolverineGet("/api/verifactu/records", OperationId = "listVeriFactuRecords"), EndpointSummary("List VERI*FACTU registration records")]
    [Authorize(Policy = InvoicingServices.ReadVeriFactu)]
    public static async Task<Ok<VeriFactuPage>> Records(HttpContext http, IEventStore store, long? after, int? limit, CancellationToken ct)
    {
        QueryValues.RefuseUnreadable(http.Request, ("after", after), ("limit", limit));
        var v = new RequestValidation();
        if (after is < 0) v.Fail("after", RequestValidation.OutOfRange, "must not be negative");
        var size = v.Range("limit", limit ?? 100, 1, MaxPage);
        v.ThrowIfInvalid();
        var events = await store.ReadStreamAsync(http.User.TenantId(), InvoiceStreams.VeriFactu, (after ?? 0) + 1, ct);
        var page = events.Take(size).Select(VeriFactuEventCodec.Decode).Select(VeriFactuRecordView.From).ToList();
        return TypedResults.Ok(new VeriFactuPage(page, events.Count > size ? page[^1].Sequence : null));
    }

    /// <summary>Has Wolverine run the command (<see cref="FiscalCommandHandler"/>); a race lost at last is a conflict on <paramref name="contested"/>.</summary>
    private static Task<DocumentWritten> Send(HttpContext http, IMessageBus bus, object command, string contested, CancellationToken ct) =>
        WriteCommands.InvokeAsync<DocumentWritten>(http, bus, command, contested, null, w => w.Appended is not null, ct);

    private static Results<Created<DocumentWrittenView>, Ok<DocumentWrittenView>> Answer(HttpContext http, DocumentWritten written, string location)
    {
        if (written.Result.Position is { } position) http.Response.Headers["X-Ledger-Position"] = position.ToString();
        var view = DocumentWrittenView.From(written);
        return written.Result.EventsAppended > 0 ? TypedResults.Created(location, view) : TypedResults.Ok(view);
    }
}
