using Ledger.Application.Invoicing;
using Ledger.Application.Invoicing.Events;
using Ledger.Domain;
using Ledger.Domain.Invoicing;
using Ledger.TestSupport;

namespace Ledger.Application.Tests.Invoicing;

/// <summary>Credit notes against the real store: own series, partial credits, never more than the invoice, under concurrency too.</summary>
public sealed class CreditNoteIssuerTests : IAsyncLifetime
{
    private InvoicingTestBed bed = null!;
    private DocumentWritten invoice = null!;

    public async Task InitializeAsync()
    {
        bed = await InvoicingTestBed.CreateAsync();
        invoice = await bed.Issuer.IssueAsync(bed.Context(), InvoicingTestBed.Request(taxId: InvoicingTestBed.SpanishCompany));
    }

    public async Task DisposeAsync() => await bed.DisposeAsync();

    private IssueCreditNoteRequest Credit(params CreditedLine[] lines) =>
        new(Guid.CreateVersion7(), invoice.DocumentId, null, lines, "returned goods");

    [Fact]
    public async Task A_partial_credit_note_is_numbered_in_its_own_series_and_refers_to_the_invoice()
    {
        var written = await bed.CreditNotes.IssueAsync(bed.Context(), Credit(new CreditedLine(1, 1m)));

        written.Number.Text.ShouldBe("R/000001");
        var note = (await bed.Documents.CreditNoteAsync(bed.Tenant, written.DocumentId))!.State.Facts;
        (note.InvoiceId, note.InvoiceNumber.Text, note.Totals.Total, note.Cancellation).ShouldBe((invoice.DocumentId, "A/000001", 10.89m, false));
        var state = await bed.Invoice(invoice.DocumentId);
        state.Credits.Totals.Total.ShouldBe(10.89m);
        state.Status.ShouldBe("issued");
        (await bed.Stream(InvoiceStreams.CreditNoteSeries("R"))).Count.ShouldBe(1);
        (await bed.Stream(InvoiceStreams.InvoiceSeries("A"))).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Given_issued_invoice_When_credit_more_than_total_Then_refused_and_no_number_is_taken()
    {
        (await Should.ThrowAsync<DomainError>(() => bed.CreditNotes.IssueAsync(bed.Context(), Credit(new CreditedLine(1, 4m)))))
            .Code.ShouldBe("credit_note.quantity_exceeds_invoiced");
        (await bed.Stream(InvoiceStreams.CreditNoteSeries("R"))).ShouldBeEmpty();
        var whole = await bed.CreditNotes.IssueAsync(bed.Context(), Credit());
        whole.Number.Sequence.ShouldBe(1);
        (await bed.Invoice(invoice.DocumentId)).Status.ShouldBe("credited");
        (await Should.ThrowAsync<DomainError>(() => bed.CreditNotes.IssueAsync(bed.Context(), Credit())))
            .Code.ShouldBe("invoice.fully_credited");
    }

    [Fact]
    public async Task Concurrent_credit_notes_never_credit_more_than_the_invoice()
    {
        // Line 1 has 3 units: of ten concurrent credits of one unit each, exactly three can be issued.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
        {
            var issuer = i % 2 == 0 ? bed.CreditNotes : new TestCreditNoteIssuer(bed.Db, new CreditNoteIssuer(bed.Db.EventStore, bed.Issuers));
            try
            {
                return (await issuer.IssueAsync(bed.Context(correlation: $"c{i}"), Credit(new CreditedLine(1, 1m)))).Number.Sequence;
            }
            catch (DomainError e) when (e.Code == "credit_note.quantity_exceeds_invoiced")
            {
                return 0L;
            }
        }));

        outcomes.Where(n => n > 0).Order().ShouldBe([1L, 2L, 3L]);
        var state = await bed.Invoice(invoice.DocumentId);
        state.Credits.CreditedQuantities[0].ShouldBe(3m);
        state.Credits.Totals.Total.ShouldBe(32.67m);
        state.Credits.Totals.Total.ShouldBeLessThanOrEqualTo(state.Facts.Totals.Total);
        (await bed.Stream(InvoiceStreams.Invoice(invoice.DocumentId))).Count(e => e.EventType == InvoiceEventCodec.Credited).ShouldBe(3);
    }

    [Fact]
    public async Task The_same_credit_note_sent_twice_is_issued_once()
    {
        var request = Credit(new CreditedLine(2, 1m));
        var first = await bed.CreditNotes.IssueAsync(bed.Context(), request);
        var again = await bed.CreditNotes.IssueAsync(bed.Context(), request);

        again.Number.ShouldBe(first.Number);
        again.Result.EventsAppended.ShouldBe(0);
        (await bed.Invoice(invoice.DocumentId)).Credits.CreditNoteIds.ShouldBe([request.CreditNoteId]);
    }

    [Fact]
    public async Task A_credit_note_for_an_invoice_that_does_not_exist_is_not_found() =>
        (await Should.ThrowAsync<DomainError>(() => bed.CreditNotes.IssueAsync(bed.Context(),
            new IssueCreditNoteRequest(Guid.CreateVersion7(), Guid.CreateVersion7(), null, null, "typo")))).Code.ShouldBe("invoice.not_found");
}
