using FsCheck;
using FsCheck.Fluent;
using Ledger.Domain.Invoicing;
using Ledger.Domain.Invoicing.Register;

namespace Ledger.Domain.Tests.Invoicing;

/// <summary>
/// Invariants over random invoices, currencies, rates and credit notes, all made by the deciders: the tax summary a
/// tax return is filed from equals the sum of the register's rows, and credits never exceed what was invoiced.
/// </summary>
public class InvoicingProperties
{
    private static readonly string[] Categories = [.. StatutoryTaxRates.Initial.Select(r => r.Category)];
    private static readonly TaxRuleSet Rules = new(1, StatutoryTaxRates.EffectiveFrom, StatutoryTaxRates.Initial);
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly Gen<InvoiceLine> Lines =
        from quantity in Gen.Choose(1, 6)
        from tenths in Gen.Elements(0, 0, 5)
        from cents in Gen.Choose(0, 200_000)
        from discount in Gen.Elements(0m, 0m, 5m, 12.5m, 33.33m)
        from category in Gen.Elements(Categories)
        select new InvoiceLine("item", quantity + tenths / 10m, cents / 100m, discount, category);

    /// <summary>One credit: everything that remains, or some units of some lines (index into the invoice's lines).</summary>
    private sealed record CreditPlan(bool Everything, (int Line, int Units)[] Picks, int DaysLater);

    private static readonly Gen<CreditPlan> Credits =
        from everything in Gen.Elements(false, false, false, true)
        from picks in Gen.ListOf(Gen.Zip(Gen.Choose(0, 5), Gen.Choose(1, 3))).Select(p => p.ToArray())
        from days in Gen.Choose(0, 60)
        select new CreditPlan(everything, picks, days);

    private sealed record DocumentPlan(InvoiceLine[] Lines, string Currency, decimal Rate, int Day, CreditPlan[] Credits);

    private static readonly Gen<DocumentPlan> Documents =
        from lines in Gen.NonEmptyListOf(Lines).Select(l => l.Take(8).ToArray())
        from money in Gen.Elements(("EUR", 1m), ("USD", 0.9234m), ("JPY", 0.0061m), ("KWD", 2.98713m))
        from day in Gen.Choose(0, 364)
        from credits in Gen.ListOf(Credits).Select(c => c.Take(4).ToArray())
        select new DocumentPlan(lines, money.Item1, money.Item2, day, credits);

    private sealed record Book(List<RegisterRow> Rows, List<(Invoice.Issued Invoice, bool Refusals)> Invoices);

    private static Book Make(IReadOnlyList<DocumentPlan> plans)
    {
        var book = new Book([], []);
        long invoiceNumber = 0, noteNumber = 0;
        foreach (var plan in plans)
        {
            var at = T0.AddDays(plan.Day);
            var issue = new IssueInvoice(Guid.NewGuid(), new InvoiceNumber("A", ++invoiceNumber), DateOnly.FromDateTime(at.UtcDateTime), null,
                new InvoiceCustomer(null, null), null, plan.Currency, plan.Lines, Rules, "EUR", plan.Currency == "EUR" ? null : plan.Rate, at, "clerk");
            var issued = (InvoiceIssued)InvoiceDecider.Decide(issue, InvoiceDecider.Initial).Single();
            book.Rows.Add(RegisterRow.For(issued));
            Invoice state = InvoiceDecider.Evolve(InvoiceDecider.Initial, issued);

            foreach (var credit in plan.Credits)
            {
                var lines = credit.Everything ? null
                    : credit.Picks.Select(p => new CreditedLine(p.Line % plan.Lines.Length + 1, p.Units)).DistinctBy(l => l.LineNumber).ToArray();
                var when = at.AddDays(credit.DaysLater);
                var command = new CreditInvoice(issue.InvoiceId, Guid.NewGuid(), new InvoiceNumber("R", noteNumber + 1), lines, "return", when, "clerk");
                InvoiceCredited credited;
                try
                {
                    credited = (InvoiceCredited)InvoiceDecider.Decide(command, state).Single();
                }
                catch (DomainError e) when (e.Code is InvoiceErrors.FullyCredited or InvoiceErrors.CreditExceedsTotal
                                                or InvoiceErrors.CreditNoteQuantityExceedsInvoiced)
                {
                    continue;
                }
                noteNumber++;
                var note = CreditNoteDecider.Decide(new IssueCreditNote(command.CreditNoteId, DateOnly.FromDateTime(when.UtcDateTime),
                    issued.Facts, credited, when, "clerk"), CreditNoteDecider.Initial).Single();
                book.Rows.Add(RegisterRow.For(note));
                state = InvoiceDecider.Evolve(state, credited);
            }
            book.Invoices.Add(((Invoice.Issued)state, false));
        }
        return book;
    }

    [Fact]
    public void For_any_period_the_tax_summary_equals_the_sum_of_the_register_rows() =>
        Prop.ForAll(Gen.ListOf(Documents).Select(d => d.Take(12).ToArray()).ToArbitrary(), plans =>
        {
            var book = Make(plans);
            var summary = book.Rows.OrderBy(_ => Random.Shared.Next()).Aggregate(TaxSummary.Empty, TaxSummary.Apply);

            foreach (var period in book.Rows.Select(r => r.Period).Distinct())
            {
                var rows = book.Rows.Where(r => r.Period == period).ToList();
                var lines = summary.Values.Where(l => l.Period == period).ToList();
                foreach (var line in lines)
                {
                    var amounts = rows.SelectMany(r => r.ByRate).Where(a => a.Rate == line.Rate && a.Exempt == line.Exempt).ToList();
                    line.Base.ShouldBe(amounts.Sum(a => a.FunctionalBase), $"{period} at {line.Rate} %");
                    line.Tax.ShouldBe(amounts.Sum(a => a.FunctionalTax), $"{period} at {line.Rate} %");
                }
                lines.Sum(l => l.Base + l.Tax).ShouldBe(rows.Sum(r => r.Totals.FunctionalTotal), period);
                rows.ShouldAllBe(r => r.ByRate.Sum(a => a.FunctionalBase + a.FunctionalTax) == r.Totals.FunctionalTotal);
            }
            summary.Keys.Select(k => k.Period).Distinct().Count().ShouldBe(book.Rows.Select(r => r.Period).Distinct().Count());
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(200));

    [Fact]
    public void For_any_credits_an_invoice_is_never_credited_more_than_it_was_issued_for_and_a_full_credit_is_exact() =>
        Prop.ForAll(Gen.ListOf(Documents).Select(d => d.Take(6).ToArray()).ToArbitrary(), plans =>
        {
            foreach (var (invoice, _) in Make(plans).Invoices)
            {
                var issued = invoice.Facts;
                var credits = invoice.Credits;
                foreach (var credited in credits.CreditedByRate)
                {
                    var of = issued.ByRate.Single(r => r.Key == credited.Key);
                    credited.Base.ShouldBeLessThanOrEqualTo(of.Base);
                    credited.Tax.ShouldBeLessThanOrEqualTo(of.Tax);
                    credited.FunctionalBase.ShouldBeLessThanOrEqualTo(of.FunctionalBase);
                    credited.FunctionalTax.ShouldBeLessThanOrEqualTo(of.FunctionalTax);
                    credited.Base.ShouldBeGreaterThanOrEqualTo(0m);
                }
                credits.Totals.Total.ShouldBeLessThanOrEqualTo(issued.Totals.Total);
                for (var i = 0; i < issued.Lines.Count; i++)
                {
                    credits.CreditedQuantities[i].ShouldBeLessThanOrEqualTo(issued.Lines[i].Quantity);
                    credits.CreditedBases[i].ShouldBeLessThanOrEqualTo(issued.Lines[i].Base);
                }
                if (invoice.FullyCredited)
                {
                    credits.Totals.ShouldBe(issued.Totals);
                    credits.CreditedBases.ShouldBe(issued.Lines.Select(l => l.Base));
                }
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
}
