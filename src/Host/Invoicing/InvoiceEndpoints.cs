using Ledger.Application.Invoicing;
using Ledger.Application.Invoicing.VeriFactu;
using Ledger.EventStore;
using Ledger.Host.Auth;
using Ledger.Host.Errors;
using Ledger.Host.Http;
using Ledger.Host.WritePath;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ledger.Host.Invoicing;

/// <summary>
/// Invoices, credit notes and the VERI*FACTU chain. Each handler: parse and validate (400), build the request with the
/// tenant and actor from the token, call the application, answer. Writes go through the write path (audit entry,
/// Idempotency-Key), so an issue's events commit with its audit entry.
/// </summary>
public static class InvoiceEndpoints
{
    public const int MaxPage = 500;

    public static IEndpointRouteBuilder MapInvoices(this IEndpointRouteBuilder app)
    {
        var invoices = app.MapGroup("/api/invoices").WithTags("Invoices").WithWritePath("invoice");
        invoices.MapPost("", Issue).WithName("issueInvoice").WithSummary("Issue an invoice")
            .RequireAuthorization(InvoicingServices.WriteInvoices).Accepts<IssueInvoiceBody>("application/json");
        invoices.MapGet("/{id}", Get).WithName("getInvoice").WithSummary("Get an invoice or credit note")
            .RequireAuthorization(InvoicingServices.ReadInvoices);
        invoices.MapPost("/{id}/credit-notes", Credit).WithName("issueCreditNote").WithSummary("Issue a credit note for an invoice")
            .RequireAuthorization(InvoicingServices.WriteInvoices).Accepts<IssueCreditNoteBody>("application/json");
        app.MapGroup("/api/verifactu").WithTags("Invoices")
            .MapGet("/records", Records).WithName("listVeriFactuRecords").WithSummary("List VERI*FACTU registration records")
            .RequireAuthorization(InvoicingServices.ReadVeriFactu);
        return app;
    }

    internal static async Task<Results<Created<DocumentWrittenView>, Ok<DocumentWrittenView>>> Issue(
        HttpContext http, InvoiceIssuer issuer, TimeProvider clock, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<IssueInvoiceBody>(http.Request, ct);
        var context = HttpCommandContext.From(http, clock);
        var written = await issuer.IssueAsync(context, InvoiceRequestMapping.Issue(body, context), ct);
        return Answer(http, written, $"/api/invoices/{written.DocumentId:D}");
    }

    internal static async Task<Results<Created<DocumentWrittenView>, Ok<DocumentWrittenView>>> Credit(
        string id, HttpContext http, CreditNoteIssuer issuer, TimeProvider clock, CancellationToken ct)
    {
        var invoiceId = InvoiceRequestMapping.Id(id);
        var body = await JsonBody.ReadAsync<IssueCreditNoteBody>(http.Request, ct);
        var context = HttpCommandContext.From(http, clock);
        var written = await issuer.IssueAsync(context, InvoiceRequestMapping.CreditNote(invoiceId, body, context), ct);
        return Answer(http, written, $"/api/invoices/{invoiceId:D}");
    }

    internal static async Task<Results<Ok<InvoiceView>, ProblemHttpResult>> Get(string id, HttpContext http, FiscalDocuments documents, CancellationToken ct)
    {
        var invoiceId = InvoiceRequestMapping.Id(id);
        // Another tenant's invoice is simply not found in this tenant: its existence is not disclosed.
        var snapshot = await documents.InvoiceAsync(http.User.TenantId(), invoiceId, ct);
        if (snapshot is null)
            return Problems.Result(StatusCodes.Status404NotFound, "invoice.not_found", "Invoice not found");
        http.Response.Headers.ETag = ETags.Of(snapshot.Version);
        return TypedResults.Ok(InvoiceView.From(snapshot));
    }

    /// <summary>The tenant's chain from record <c>after</c> + 1, at most <c>limit</c> records (default 100).</summary>
    internal static async Task<Ok<VeriFactuPage>> Records(HttpContext http, IEventStore store, long? after, int? limit, CancellationToken ct)
    {
        var v = new RequestValidation();
        if (after is < 0) v.Fail("after", RequestValidation.OutOfRange, "must not be negative");
        var size = v.Range("limit", limit ?? 100, 1, MaxPage);
        v.ThrowIfInvalid();
        var events = await store.ReadStreamAsync(http.User.TenantId(), InvoiceStreams.VeriFactu, (after ?? 0) + 1, ct);
        var page = events.Take(size).Select(VeriFactuEventCodec.Decode).Select(VeriFactuRecordView.From).ToList();
        return TypedResults.Ok(new VeriFactuPage(page, events.Count > size ? page[^1].Sequence : null));
    }

    private static Results<Created<DocumentWrittenView>, Ok<DocumentWrittenView>> Answer(HttpContext http, DocumentWritten written, string location)
    {
        if (written.Result.Position is { } position) http.Response.Headers["X-Ledger-Position"] = position.ToString();
        var view = DocumentWrittenView.From(written);
        return written.Result.EventsAppended > 0 ? TypedResults.Created(location, view) : TypedResults.Ok(view);
    }
}
