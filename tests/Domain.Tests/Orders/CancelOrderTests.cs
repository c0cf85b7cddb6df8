using static Ledger.Domain.Tests.Orders.OrderExamples;
using static Ledger.Domain.Tests.Orders.OrderSpecification;

namespace Ledger.Domain.Tests.Orders;

public partial class OrderDeciderTests
{
    [Fact]
    public void Given_created_order_When_cancel_Then_cancelled() =>
        Given(Created).When(Cancel()).Then(Cancelled());

    [Fact]
    public void Given_awaiting_payment_When_cancel_Then_cancelled() =>
        Given(Created, PaymentRequested()).When(Cancel()).Then(Cancelled());

    [Fact]
    public void Given_failed_payment_When_cancel_Then_cancelled() =>
        Given(Created, PaymentRequested(), PaymentFailed()).When(Cancel()).Then(Cancelled());

    [Fact]
    public void Given_cancelled_order_When_cancel_Then_nothing_happens() =>
        Given(Created, Cancelled()).When(Cancel(at: 9)).Then();

    [Fact]
    public void Given_paid_order_When_cancel_Then_cannot_cancel_paid() =>
        Given(Created, PaymentRequested(), Paid()).When(Cancel()).Then("order.cannot_cancel_paid");

    [Fact]
    public void Given_fulfilled_order_When_cancel_Then_cannot_cancel_paid() =>
        Given(Created, PaymentRequested(), Paid(), Fulfilled()).When(Cancel(at: 9)).Then("order.cannot_cancel_paid");

    [Fact]
    public void Given_no_order_When_cancel_Then_not_found() =>
        Given().When(Cancel()).Then("order.not_found");
}
