using static Ledger.Domain.Tests.Orders.OrderExamples;
using static Ledger.Domain.Tests.Orders.OrderSpecification;

namespace Ledger.Domain.Tests.Orders;

public partial class OrderDeciderTests
{
    [Fact]
    public void Given_awaiting_payment_When_fail_payment_Then_payment_failed() =>
        Given(Created, PaymentRequested()).When(FailPayment()).Then(PaymentFailed());

    [Fact]
    public void Given_failed_payment_When_fail_payment_again_Then_nothing_happens() =>
        Given(Created, PaymentRequested(), PaymentFailed()).When(FailPayment(at: 5)).Then();

    [Fact]
    public void Given_created_order_When_fail_payment_Then_payment_not_requested() =>
        Given(Created).When(FailPayment()).Then("order.payment_not_requested");

    [Fact]
    public void Given_paid_order_When_fail_payment_Then_already_paid() =>
        Given(Created, PaymentRequested(), Paid()).When(FailPayment(at: 5)).Then("order.already_paid");

    [Fact]
    public void Given_fulfilled_order_When_fail_payment_Then_already_paid() =>
        Given(Created, PaymentRequested(), Paid(), Fulfilled()).When(FailPayment(at: 5)).Then("order.already_paid");

    [Fact]
    public void Given_no_order_When_fail_payment_Then_not_found() =>
        Given().When(FailPayment()).Then("order.not_found");

    [Fact]
    public void Given_cancelled_order_When_fail_payment_Then_cancelled() =>
        Given(Created, PaymentRequested(), Cancelled()).When(FailPayment(at: 5)).Then("order.cancelled");
}
