using Ledger.Application;
using Ledger.Application.Invoicing;
using Ledger.Application.Invoicing.Settings;
using Ledger.Application.Invoicing.Stamping;
using Ledger.Domain.Invoicing;
using Ledger.Projections.Invoicing;
using Ledger.Projections.Reading;
using Ledger.Projections.Tests.Infrastructure;
using Ledger.TestSupport;

namespace Ledger.Projections.Tests.Invoicing;

/// <summary>
/// The register and the tax summary, folded by the daemon from invoices and credit notes issued by the real handlers,
/// read as the API reads them: the summary equals the sum of the register's rows for every period.
/// </summary>
public sealed class InvoicingReadModelTests : IAsyncLifetime
{
    private static readonly string[] Names = [InvoiceRegisterProjection.ProjectionName, TaxSummaryProjection.ProjectionName];
    private readonly string tenant = TestDatabase.NewTenant("books");
    private TestDatabase db = null!;
    private TestInvoiceIssuer issuer = null!;
    private TestCreditNoteIssuer creditNotes = null!;
    private IssuerProfiles issuers = null!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync(ProjectionMigrations.Set, InvoicingMigrations.Set);
        issuers = new IssuerProfiles(db.AppDataSource);
        issuer = new TestInvoiceIssuer(db, new InvoiceIssuer(db.EventStore, issuers, new TaxRuleBook(db.AppDataSource), new ExchangeRates(db.AppDataSource), db.SubjectKeys));
        creditNotes = new TestCreditNoteIssuer(db, new CreditNoteIssuer(db.EventStore, issuers));
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    private CommandContext At(int month, int day) => new(tenant, "clerk", new DateTimeOffset(2026, month, day, 12, 0, 0, TimeSpan.Zero), "c", null, null, "test");

    private Task<DocumentWritten> Issue(int month, string currency, decimal? rate, params InvoiceLine[] lines) =>
        issuer.IssueAsync(At(month, 10), new IssueInvoiceRequest(Guid.CreateVersion7(), null, null, "cust-1",
            new TaxIdInput("ES", "B12345674"), null, currency, lines, rate));

    [Fact]
    public async Task The_register_lists_every_document_with_its_status_and_the_summary_is_the_sum_of_its_rows()
    {
        var jan = await Issue(1, "EUR", null, new InvoiceLine("Paper", 3m, 10.00m, 10m, "es.vat.general"), new InvoiceLine("Book", 2m, 4.95m, 0m, "es.vat.reduced"));
        var feb = await Issue(2, "USD", 0.9234m, new InvoiceLine("Service", 1m, 100m, 0m, "es.vat.general"), new InvoiceLine("Course", 1m, 50m, 0m, "exempt"));
        var mar = await Issue(3, "EUR", null, new InvoiceLine("Clip", 2m, 0.35m, 0m, "es.vat.reduced"));
        await creditNotes.IssueAsync(At(2, 1), new IssueCreditNoteRequest(Guid.CreateVersion7(), jan.DocumentId, null, [new CreditedLine(1, 1m)], "return"));
        await creditNotes.IssueAsync(At(3, 20), new IssueCreditNoteRequest(Guid.CreateVersion7(), mar.DocumentId, null, null, "cancelled"));

        var authority = new SimulatedFiscalAuthority();
        using var signer = ContingencySigner.Generate();
        var stamper = new DocumentStamper(db.Store, authority, signer, issuers, new StampingOptions(), TimeProvider.System);
        await stamper.AttemptAsync(tenant, jan.DocumentId, DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);
        authority.GoDown();
        await stamper.AttemptAsync(tenant, feb.DocumentId, DateTimeOffset.UtcNow, CancellationToken.None);

        await using (DaemonHarness.Start(db, "books", InvoicingProjections.All))
            await db.CaughtUpAsync(Names);

        var reader = new ReadModelReader(db.AppDataSource);
        var register = (await InvoiceRegisterReport.QueryAsync(reader, tenant, new InvoiceRegisterFilter(null, null, null), null, 100)).Items;
        register.Select(r => (r.Period, r.Kind, r.Number, r.Status)).ShouldBe(
        [
            ("2026-01", "invoice", "A/000001", "stamped"),
            ("2026-02", "invoice", "A/000002", "contingency"),
            ("2026-02", "credit_note", "R/000001", "issued"),
            ("2026-03", "invoice", "A/000003", "credited"),
            ("2026-03", "credit_note", "R/000002", "issued"),
        ]);
        var febInvoice = register.Single(r => r.DocumentId == feb.DocumentId);
        (febInvoice.Currency, febInvoice.ExchangeRate, febInvoice.Total, febInvoice.FunctionalTotal).ShouldBe(("USD", 0.9234m, 171.00m, 157.90m));
        febInvoice.TaxBreakdown.Count.ShouldBe(2);
        register.Single(r => r.Number == "R/000001").Total.ShouldBe(-10.89m);
        register.Single(r => r.Number == "R/000001").CorrectedInvoiceId.ShouldBe(jan.DocumentId);

        var summary = (await TaxSummaryReport.QueryAsync(reader, tenant, new TaxSummaryFilter(null, null), null, 100)).Items;
        foreach (var line in summary)
        {
            var amounts = register.Where(r => r.Period == line.Period).SelectMany(r => r.TaxBreakdown)
                .Where(a => a.Rate == line.Rate && a.Exempt == line.Exempt).ToList();
            (line.Base, line.Tax).ShouldBe((amounts.Sum(a => a.FunctionalBase), amounts.Sum(a => a.FunctionalTax)), $"{line.Period} {line.Rate}");
        }
        foreach (var period in register.Select(r => r.Period).Distinct())
            summary.Where(l => l.Period == period).Sum(l => l.Base + l.Tax).ShouldBe(register.Where(r => r.Period == period).Sum(r => r.FunctionalTotal));
        summary.Where(l => l.Period == "2026-03").ShouldAllBe(l => l.Base == 0m && l.Tax == 0m && l.Documents == 2);

        var february = await TaxSummaryReport.QueryAsync(reader, tenant, TaxSummaryFilter.Parse(q => q == "period" ? "2026-02" : null), null, 100);
        february.Items.Select(l => (l.Rate, l.Exempt, l.Base, l.Tax)).ShouldBe([(0m, true, 46.17m, 0.00m), (21m, false, 83.34m, 17.50m)]);
    }

    [Fact]
    public async Task Pages_follow_the_register_order_and_another_tenant_sees_nothing()
    {
        for (var i = 0; i < 5; i++) await Issue(4, "EUR", null, new InvoiceLine("Item", 1m, 1m, 0m, "exempt"));
        await using (DaemonHarness.Start(db, "pages", InvoicingProjections.All))
            await db.CaughtUpAsync(Names);

        var reader = new ReadModelReader(db.AppDataSource);
        var filter = new InvoiceRegisterFilter("2026-04", "2026-04", "A");
        var first = await InvoiceRegisterReport.QueryAsync(reader, tenant, filter, null, 3);
        var second = await InvoiceRegisterReport.QueryAsync(reader, tenant, filter, first.NextCursor, 3);
        first.Items.Concat(second.Items).Select(r => r.Sequence).ShouldBe([1L, 2L, 3L, 4L, 5L]);
        second.NextCursor.ShouldBeNull();
        (await InvoiceRegisterReport.QueryAsync(reader, TestDatabase.NewTenant(), filter, null, 10)).Items.ShouldBeEmpty();
        Should.Throw<InvalidReportQueryException>(() => InvoiceRegisterFilter.Parse(q => q == "period" ? "2026-13" : null));
    }
}
