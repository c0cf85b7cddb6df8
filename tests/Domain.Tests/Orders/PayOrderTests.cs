using static Ledger.Domain.Tests.Orders.OrderExamples;
using static Ledger.Domain.Tests.Orders.OrderSpecification;

namespace Ledger.Domain.Tests.Orders;

public partial class OrderDeciderTests
{
    [Fact]
    public void Given_awaiting_payment_When_pay_the_total_Then_paid() =>
        Given(Created, PaymentRequested()).When(Pay()).Then(Paid());

    [Fact]
    public void Given_awaiting_payment_When_pay_the_total_with_another_scale_Then_paid() =>
        Given(Created, PaymentRequested()).When(Pay(amount: 25m)).Then(Paid() with { Amount = 25m });

    [Theory]
    [InlineData("24.99")]
    [InlineData("25.01")]
    [InlineData("0")]
    [InlineData("-25")]
    public void Given_awaiting_payment_When_pay_another_amount_Then_amount_mismatch(string amount) =>
        Given(Created, PaymentRequested())
            .When(Pay(amount: decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)))
            .Then("order.amount_mismatch");

    [Fact]
    public void Given_awaiting_payment_When_pay_without_reference_Then_payment_reference_required() =>
        Given(Created, PaymentRequested()).When(Pay(reference: " ")).Then("order.payment_reference_required");

    [Fact]
    public void Given_paid_order_When_pay_again_with_the_same_reference_Then_nothing_happens() =>
        Given(Created, PaymentRequested(), Paid()).When(Pay(at: 9)).Then();

    [Fact]
    public void Given_paid_order_When_pay_with_another_reference_Then_already_paid() =>
        Given(Created, PaymentRequested(), Paid()).When(Pay(reference: "psp-2", at: 9)).Then("order.already_paid");

    [Fact]
    public void Given_paid_order_When_pay_the_same_reference_with_another_amount_Then_amount_mismatch() =>
        Given(Created, PaymentRequested(), Paid()).When(Pay(amount: 30m, at: 9)).Then("order.amount_mismatch");

    [Fact]
    public void Given_fulfilled_order_When_pay_again_with_the_same_reference_Then_nothing_happens() =>
        Given(Created, PaymentRequested(), Paid(), Fulfilled()).When(Pay(at: 9)).Then();

    [Fact]
    public void Given_fulfilled_order_When_pay_with_another_reference_Then_already_paid() =>
        Given(Created, PaymentRequested(), Paid(), Fulfilled()).When(Pay(reference: "psp-2", at: 9)).Then("order.already_paid");

    [Fact]
    public void Given_created_order_When_pay_Then_payment_not_requested() =>
        Given(Created).When(Pay()).Then("order.payment_not_requested");

    [Fact]
    public void Given_failed_payment_When_pay_Then_payment_not_requested() =>
        Given(Created, PaymentRequested(), PaymentFailed()).When(Pay(at: 5)).Then("order.payment_not_requested");

    [Fact]
    public void Given_failed_payment_and_a_new_request_When_pay_Then_paid() =>
        Given(Created, PaymentRequested(), PaymentFailed(), PaymentRequested(at: 4)).When(Pay(at: 5)).Then(Paid(at: 5));

    [Fact]
    public void Given_no_order_When_pay_Then_not_found() =>
        Given().When(Pay()).Then("order.not_found");

    [Fact]
    public void Given_cancelled_order_When_pay_Then_cancelled() =>
        Given(Created, PaymentRequested(), Cancelled()).When(Pay(at: 5)).Then("order.cancelled");
}
