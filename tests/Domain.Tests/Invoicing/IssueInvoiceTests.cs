using Ledger.Domain.Invoicing;
using static Ledger.Domain.Tests.Invoicing.InvoiceExamples;
using static Ledger.Domain.Tests.Invoicing.InvoiceSpecification;

namespace Ledger.Domain.Tests.Invoicing;

public partial class InvoiceDeciderTests
{
    [Fact]
    public void Given_nothing_When_issue_Then_issued_with_each_rate_taxed_on_its_summed_bases()
    {
        var facts = ((InvoiceIssued)Given().When(Issue()).Events.Single()).Facts;

        facts.Lines.Select(l => (l.Number, l.TaxRate, l.Base)).ShouldBe([(1, 21m, 27.00m), (2, 10m, 9.90m)]);
        facts.ByRate.ShouldBe([new RateAmounts(21m, false, 27.00m, 5.67m, 27.00m, 5.67m), new RateAmounts(10m, false, 9.90m, 0.99m, 9.90m, 0.99m)]);
        facts.Totals.ShouldBe(new DocumentTotals(36.90m, 6.66m, 43.56m, 36.90m, 6.66m, 43.56m));
        facts.Totals.Total.ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe("43.56");
        facts.TaxRuleVersion.ShouldBe(3);
        facts.Number.Text.ShouldBe("A-2026/000001");
        facts.ExchangeRate.ShouldBe(1m);
    }

    [Fact]
    public void Given_nothing_When_issue_Then_a_line_is_rounded_half_away_from_zero()
    {
        // 3 × 0.335 = 1.005: half away from zero gives 1.01 where banker's rounding would give 1.00.
        var facts = ((InvoiceIssued)Given().When(Issue([new("Screws", 3m, 0.335m, 0m, "es.vat.general")])).Events.Single()).Facts;
        facts.Lines[0].Base.ShouldBe(1.01m);
        facts.ByRate.Single().Tax.ShouldBe(0.21m);
    }

    [Fact]
    public void Given_nothing_When_issue_Then_tax_is_computed_once_per_rate_not_per_line()
    {
        // Per line, 0.25 at 10 % is 0.025 → 0.03, twice 0.06; on the summed base 0.50 it is 0.05.
        var facts = ((InvoiceIssued)Given().When(Issue([new("A", 1m, 0.25m, 0m, "es.vat.reduced"), new("B", 1m, 0.25m, 0m, "es.vat.reduced")]))
            .Events.Single()).Facts;
        facts.ByRate.Single().ShouldBe(new RateAmounts(10m, false, 0.50m, 0.05m, 0.50m, 0.05m));
    }

    [Fact]
    public void Given_nothing_When_issue_in_another_currency_Then_both_amounts_are_kept_at_the_rate_of_issue()
    {
        var facts = ((InvoiceIssued)Given().When(Issue([new("Service", 1m, 100m, 0m, "es.vat.general")], "USD", "EUR", 0.9234m))
            .Events.Single()).Facts;
        facts.ExchangeRate.ShouldBe(0.9234m);
        facts.ByRate.Single().ShouldBe(new RateAmounts(21m, false, 100.00m, 21.00m, 92.34m, 19.39m));
        facts.Totals.ShouldBe(new DocumentTotals(100.00m, 21.00m, 121.00m, 92.34m, 19.39m, 111.73m));
    }

    [Fact]
    public void Given_nothing_When_issue_in_yen_Then_amounts_have_no_decimals()
    {
        var facts = ((InvoiceIssued)Given().When(Issue([new("Tea", 3m, 333.5m, 0m, "mx.iva.general")], "JPY", "EUR", 0.0061m)).Events.Single()).Facts;
        facts.Lines[0].Base.ShouldBe(1001m);
        facts.ByRate.Single().ShouldBe(new RateAmounts(16m, false, 1001m, 160m, 6.11m, 0.98m));
    }

    [Fact]
    public void Given_nothing_When_issue_an_exempt_line_Then_it_is_kept_apart_from_zero_rated()
    {
        var facts = ((InvoiceIssued)Given().When(Issue([new("Course", 1m, 50m, 0m, "exempt"), new("Export", 1m, 20m, 0m, "es.vat.zero")]))
            .Events.Single()).Facts;
        facts.ByRate.Select(r => (r.Rate, r.Exempt, r.Base, r.Tax)).ShouldBe([(0m, false, 20.00m, 0.00m), (0m, true, 50.00m, 0.00m)]);
    }

    [Fact]
    public void Given_nothing_When_issue_with_an_unknown_tax_category_Then_unknown_tax_category() =>
        Given().When(Issue([new("Thing", 1m, 1m, 0m, "de.ust.general")])).Then("invoice.unknown_tax_category");

    [Fact]
    public void Given_nothing_When_issue_without_lines_Then_no_lines() => Given().When(Issue([])).Then("invoice.no_lines");

    [Theory]
    [InlineData("0", "1", "0", "invoice.invalid_quantity")]
    [InlineData("0.0000001", "1", "0", "invoice.invalid_quantity")]
    [InlineData("1", "-1", "0", "invoice.invalid_unit_price")]
    [InlineData("1", "0.0000001", "0", "invoice.invalid_unit_price")]
    [InlineData("1", "1", "100.5", "invoice.invalid_discount")]
    [InlineData("1", "1", "-1", "invoice.invalid_discount")]
    [InlineData("1", "1", "10.125", "invoice.invalid_discount")]
    public void Given_nothing_When_issue_a_line_out_of_bounds_Then_refused(string quantity, string price, string discount, string code) =>
        Given().When(Issue([new("Thing", D(quantity), D(price), D(discount), "exempt")])).Then(code);

    [Fact]
    public void Given_nothing_When_issue_a_line_without_description_Then_description_required() =>
        Given().When(Issue([new(" ", 1m, 1m, 0m, "exempt")])).Then("invoice.description_required");

    [Fact]
    public void Given_nothing_When_issue_in_another_currency_without_a_rate_Then_exchange_rate_required() =>
        Given().When(Issue(currency: "USD")).Then("invoice.exchange_rate_required");

    [Theory]
    [InlineData("EUR", "2")]
    [InlineData("USD", "0")]
    [InlineData("USD", "-1")]
    [InlineData("USD", "0.00000000001")]
    public void Given_nothing_When_issue_with_an_impossible_rate_Then_invalid_exchange_rate(string currency, string rate) =>
        Given().When(Issue(currency: currency, rate: D(rate))).Then("invoice.invalid_exchange_rate");

    [Fact]
    public void Given_nothing_When_issue_in_no_currency_Then_unknown_currency() =>
        Given().When(Issue(currency: "XYZ")).Then("invoice.unknown_currency");

    [Fact]
    public void Given_nothing_When_issue_with_an_invalid_series_Then_invalid_series() =>
        Given().When(Issue(series: "a 2026")).Then("series.invalid_code");

    [Fact]
    public void Given_issued_for_an_order_When_issue_for_the_same_order_again_Then_nothing_happens()
    {
        var order = Guid.CreateVersion7();
        Given(Issued(Issue(orderId: order))).When(Issue(orderId: order, number: 7)).Then();
    }

    [Fact]
    public void Given_issued_When_the_same_issue_is_sent_again_Then_nothing_happens() =>
        Given(Issued()).When(Issue()).Then();

    [Fact]
    public void Given_issued_When_another_invoice_under_its_id_Then_already_exists() =>
        Given(Issued()).When(Issue([new("Other", 1m, 1m, 0m, "exempt")])).Then("invoice.already_exists");

    [Fact]
    public void Given_issued_When_a_later_rules_version_changes_a_rate_Then_the_issued_invoice_keeps_its_rate()
    {
        var issued = Issued();
        var later = new TaxRuleSet(4, new DateOnly(2026, 6, 1), [new TaxRate("es.vat.general", 23m, false), new TaxRate("es.vat.reduced", 10m, false)]);
        var reissued = Given().When(Issue() with { TaxRules = later, InvoiceId = Guid.NewGuid() }).Events.Single();

        var state = (Invoice.Issued)Given(issued).State;
        state.Facts.TaxRuleVersion.ShouldBe(3);
        state.Facts.Lines[0].TaxRate.ShouldBe(21m);
        ((InvoiceIssued)reissued).Facts.Lines[0].TaxRate.ShouldBe(23m);
    }

    private static decimal D(string text) => decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
}
