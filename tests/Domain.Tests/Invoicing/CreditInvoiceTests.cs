using Ledger.Domain.Invoicing;
using static Ledger.Domain.Tests.Invoicing.InvoiceExamples;
using static Ledger.Domain.Tests.Invoicing.InvoiceSpecification;

namespace Ledger.Domain.Tests.Invoicing;

public partial class InvoiceDeciderTests
{
    private static InvoiceCredited Credited(Scenario given, CreditInvoice credit) => (InvoiceCredited)given.When(credit).Events.Single();

    [Fact]
    public void Given_issued_invoice_When_credit_part_of_a_line_Then_credited_at_the_line_terms()
    {
        var credited = Credited(Given(Issued()), Credit(lines: new CreditedLine(1, 1m)));

        credited.Lines.ShouldBe([new CreditedLineAmount(1, 1m, 9.00m)]);
        credited.ByRate.ShouldBe([new RateAmounts(21m, false, 9.00m, 1.89m, 9.00m, 1.89m)]);
        credited.Totals.Total.ShouldBe(10.89m);
        credited.Completes.ShouldBeFalse();
        credited.Cancellation.ShouldBeFalse();
        credited.CreditNoteNumber.Text.ShouldBe("R-2026/000001");
    }

    [Fact]
    public void Given_issued_invoice_When_credit_more_than_total_Then_refused() =>
        Given(Issued()).When(Credit(lines: new CreditedLine(1, 4m))).Then("credit_note.quantity_exceeds_invoiced");

    [Fact]
    public void Given_partly_credited_invoice_When_credit_more_than_remains_Then_refused()
    {
        var first = Credited(Given(Issued()), Credit(lines: new CreditedLine(1, 2m)));
        Given(Issued(), first).When(Credit(creditNoteId: Guid.NewGuid(), number: 2, lines: new CreditedLine(1, 2m)))
            .Then("credit_note.quantity_exceeds_invoiced");
    }

    [Fact]
    public void Given_issued_invoice_When_credit_everything_Then_a_cancellation_for_exactly_the_total()
    {
        var credited = Credited(Given(Issued()), Credit());
        credited.Cancellation.ShouldBeTrue();
        credited.Completes.ShouldBeTrue();
        credited.Totals.ShouldBe(Issued().Facts.Totals);
        credited.Lines.Select(l => (l.LineNumber, l.Quantity)).ShouldBe([(1, 3m), (2, 2m)]);
        ((Invoice.Issued)Given(Issued(), credited).State).Status.ShouldBe("credited");
    }

    [Fact]
    public void Given_partly_credited_invoice_When_credit_the_rest_Then_the_last_credit_takes_exactly_what_remains()
    {
        // Two units at 0.35 with 10 %: the invoice taxes 0.70 at 0.07; one unit alone would be taxed 0.035 → 0.04,
        // so two single credits would take 0.08. The last credit takes what remains instead: 0.03.
        var issued = Issued(Issue([new("Clip", 2m, 0.35m, 0m, "es.vat.reduced")]));
        var first = Credited(Given(issued), Credit(lines: new CreditedLine(1, 1m)));
        var last = Credited(Given(issued, first), Credit(creditNoteId: Guid.NewGuid(), number: 2, lines: new CreditedLine(1, 1m)));

        first.ByRate.Single().Tax.ShouldBe(0.04m);
        last.ByRate.Single().Tax.ShouldBe(0.03m);
        last.Completes.ShouldBeTrue();
        last.Cancellation.ShouldBeFalse();
        (first.Totals.Total + last.Totals.Total).ShouldBe(issued.Facts.Totals.Total);
    }

    [Fact]
    public void Given_partly_credited_invoice_When_a_partial_credit_would_take_more_tax_than_remains_Then_refused()
    {
        var issued = Issued(Issue([new("A", 1m, 0.35m, 0m, "es.vat.reduced"), new("B", 1m, 0.35m, 0m, "es.vat.reduced"), new("C", 1m, 0m, 0m, "es.vat.reduced")]));
        var first = Credited(Given(issued), Credit(lines: new CreditedLine(1, 1m)));
        Given(issued, first).When(Credit(creditNoteId: Guid.NewGuid(), number: 2, lines: new CreditedLine(2, 1m))).Then("invoice.credit_exceeds_total");
    }

    [Fact]
    public void Given_fully_credited_invoice_When_credit_Then_fully_credited() =>
        Given(Issued(), Credited(Given(Issued()), Credit())).When(Credit(creditNoteId: Guid.NewGuid(), number: 2)).Then("invoice.fully_credited");

    [Fact]
    public void Given_credited_invoice_When_the_same_credit_note_again_Then_nothing_happens() =>
        Given(Issued(), Credited(Given(Issued()), Credit(lines: new CreditedLine(2, 1m)))).When(Credit(lines: new CreditedLine(2, 1m))).Then();

    [Theory]
    [InlineData(3, "1", "credit_note.unknown_line")]
    [InlineData(0, "1", "credit_note.unknown_line")]
    [InlineData(1, "0", "credit_note.invalid_quantity")]
    [InlineData(1, "-1", "credit_note.invalid_quantity")]
    public void Given_issued_invoice_When_credit_a_line_wrongly_Then_refused(int line, string quantity, string code) =>
        Given(Issued()).When(Credit(lines: new CreditedLine(line, decimal.Parse(quantity, System.Globalization.CultureInfo.InvariantCulture)))).Then(code);

    [Fact]
    public void Given_issued_invoice_When_credit_a_line_twice_in_one_note_Then_duplicate_line() =>
        Given(Issued()).When(Credit(lines: [new CreditedLine(1, 1m), new CreditedLine(1, 1m)])).Then("credit_note.duplicate_line");

    [Fact]
    public void Given_issued_invoice_When_credit_without_reason_Then_reason_required() =>
        Given(Issued()).When(Credit(reason: " ")).Then("credit_note.reason_required");

    [Fact]
    public void Given_nothing_When_credit_Then_not_found() => Given().When(Credit()).Then("invoice.not_found");

    [Fact]
    public void Given_issued_invoice_When_credited_Then_the_credit_note_states_the_credited_lines_at_the_invoice_terms()
    {
        var credited = Credited(Given(Issued()), Credit(lines: new CreditedLine(2, 1m)));
        var note = CreditNoteDecider.Decide(new IssueCreditNote(CreditNoteId, new DateOnly(2026, 3, 3), Issued().Facts, credited, T0.AddDays(1), "clerk-1"),
            CreditNoteDecider.Initial).Single().Facts;

        note.Lines.ShouldBe([new CreditNoteLine(2, "Book", 1m, 4.95m, 0m, "es.vat.reduced", 10m, false, 4.95m)]);
        note.InvoiceNumber.Text.ShouldBe("A-2026/000001");
        note.Number.Text.ShouldBe("R-2026/000001");
        note.Totals.Total.ShouldBe(5.45m);
        note.Customer.ShouldBe(Customer);
        CreditNoteDecider.AlreadyIssuedFor(CreditNoteId, InvoiceId, new CreditNote.Issued(note)).ShouldBeTrue();
        Should.Throw<DomainError>(() => CreditNoteDecider.AlreadyIssuedFor(CreditNoteId, Guid.NewGuid(), new CreditNote.Issued(note)))
            .Code.ShouldBe("credit_note.already_exists");
    }
}
