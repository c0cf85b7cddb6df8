using static Ledger.Domain.Tests.Orders.OrderExamples;
using static Ledger.Domain.Tests.Orders.OrderSpecification;

namespace Ledger.Domain.Tests.Orders;

public partial class OrderDeciderTests
{
    [Fact]
    public void Given_created_order_When_request_payment_Then_payment_of_the_total_requested() =>
        Given(Created).When(RequestPayment()).Then(PaymentRequested());

    [Fact]
    public void Given_awaiting_payment_When_request_payment_Then_nothing_happens() =>
        Given(Created, PaymentRequested()).When(RequestPayment(at: 5)).Then();

    [Fact]
    public void Given_failed_payment_When_request_payment_Then_payment_requested_again() =>
        Given(Created, PaymentRequested(), PaymentFailed()).When(RequestPayment(at: 5)).Then(PaymentRequested(at: 5));

    [Fact]
    public void Given_paid_order_When_request_payment_Then_already_paid() =>
        Given(Created, PaymentRequested(), Paid()).When(RequestPayment(at: 5)).Then("order.already_paid");

    [Fact]
    public void Given_fulfilled_order_When_request_payment_Then_already_paid() =>
        Given(Created, PaymentRequested(), Paid(), Fulfilled()).When(RequestPayment(at: 5)).Then("order.already_paid");

    [Fact]
    public void Given_no_order_When_request_payment_Then_not_found() =>
        Given().When(RequestPayment()).Then("order.not_found");

    [Fact]
    public void Given_cancelled_order_When_request_payment_Then_cancelled() =>
        Given(Created, Cancelled()).When(RequestPayment(at: 5)).Then("order.cancelled");
}
