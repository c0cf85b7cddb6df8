using Ledger.Domain.Orders;
using static Ledger.Domain.Tests.Orders.OrderExamples;
using static Ledger.Domain.Tests.Orders.OrderSpecification;

namespace Ledger.Domain.Tests.Orders;

public partial class OrderDeciderTests
{
    [Fact]
    public void Given_no_order_When_create_Then_created_with_the_total_of_its_lines() =>
        Given().When(Create()).Then(Created);

    [Fact]
    public void Given_no_order_When_create_with_the_right_expected_total_Then_created() =>
        Given().When(Create(expectedTotal: 25m)).Then(Created);

    [Fact]
    public void Given_no_order_When_create_with_another_expected_total_Then_total_mismatch() =>
        Given().When(Create(expectedTotal: 25.01m)).Then("order.total_mismatch");

    [Fact]
    public void Given_no_order_When_create_in_yen_Then_total_has_no_decimals() =>
        Given().When(Create([new("SKU-1", "Tea", 3, 1200m)], currency: "JPY"))
            .Then(Created with { Currency = "JPY", Lines = [new("SKU-1", "Tea", 3, 1200m)], Total = 3600m });

    [Fact]
    public void Given_no_order_When_create_in_dinars_Then_three_decimals_are_allowed() =>
        Given().When(Create([new("SKU-1", "Dates", 2, 1.125m)], currency: "KWD"))
            .Then(Created with { Currency = "KWD", Lines = [new("SKU-1", "Dates", 2, 1.125m)], Total = 2.250m });

    [Fact]
    public void Given_no_order_When_create_without_lines_Then_no_lines() =>
        Given().When(Create([])).Then("order.no_lines");

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Given_no_order_When_create_with_a_non_positive_quantity_Then_invalid_quantity(int quantity) =>
        Given().When(Create([new("SKU-1", "Paper", quantity, 1m)])).Then("order.invalid_quantity");

    [Fact]
    public void Given_no_order_When_create_with_a_negative_price_Then_negative_price() =>
        Given().When(Create([new("SKU-1", "Paper", 1, -0.01m)])).Then("order.negative_price");

    [Fact]
    public void Given_no_order_When_create_with_a_free_line_Then_created() =>
        Given().When(Create([new("SKU-1", "Sample", 1, 0m)]))
            .Then(Created with { Lines = [new("SKU-1", "Sample", 1, 0m)], Total = 0.00m });

    [Theory]
    [InlineData("EUR", "10.255")]
    [InlineData("JPY", "100.5")]
    [InlineData("KWD", "1.0005")]
    public void Given_no_order_When_create_with_a_price_finer_than_the_currency_Then_invalid_amount_precision(string currency, string price) =>
        Given().When(Create([new("SKU-1", "Paper", 1, decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture))], currency))
            .Then("order.invalid_amount_precision");

    [Fact]
    public void Given_no_order_When_create_with_trailing_zeros_beyond_the_minor_units_Then_created() =>
        Given().When(Create([new("SKU-1", "Paper", 1, 10.500m)]))
            .Then(Created with { Lines = [new("SKU-1", "Paper", 1, 10.500m)], Total = 10.50m });

    [Theory]
    [InlineData("XYZ")]
    [InlineData("eur")]
    [InlineData("")]
    public void Given_no_order_When_create_in_an_unknown_currency_Then_unknown_currency(string currency) =>
        Given().When(Create(currency: currency)).Then("order.unknown_currency");

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Given_no_order_When_create_without_customer_Then_customer_required(string customerId) =>
        Given().When(Create(customerId: customerId)).Then("order.customer_required");

    [Fact]
    public void Given_no_order_When_create_with_a_line_without_sku_Then_sku_required() =>
        Given().When(Create([new("", "Paper", 1, 1m)])).Then("order.sku_required");

    [Fact]
    public void Given_no_order_When_create_with_a_total_beyond_decimal_Then_amount_out_of_range() =>
        Given().When(Create([new("SKU-1", "Gold", int.MaxValue, 79_228_162_514_264_337_593_543_950m)]))
            .Then("order.amount_out_of_range");

    [Fact]
    public void Given_created_order_When_create_Then_already_exists() =>
        Given(Created).When(Create()).Then("order.already_exists");

    [Fact]
    public void Given_cancelled_order_When_create_Then_already_exists() =>
        Given(Created, Cancelled()).When(Create()).Then("order.already_exists");

    [Fact]
    public void Given_no_order_When_create_Then_the_event_keeps_a_copy_of_the_lines()
    {
        var lines = new List<OrderLine>(Lines);
        var created = (OrderCreated)OrderDecider.Decide(Create(lines), OrderDecider.Initial).Single();
        lines.Clear();
        created.Lines.Count.ShouldBe(2);
    }

    [Fact]
    public void Given_no_order_When_create_Then_the_total_is_written_with_the_currency_minor_units() =>
        ((OrderCreated)OrderDecider.Decide(Create([new("SKU-1", "Paper", 1, 12.5m)]), OrderDecider.Initial).Single())
            .Total.ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe("12.50");
}
