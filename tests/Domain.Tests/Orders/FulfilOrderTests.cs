using static Ledger.Domain.Tests.Orders.OrderExamples;
using static Ledger.Domain.Tests.Orders.OrderSpecification;

namespace Ledger.Domain.Tests.Orders;

public partial class OrderDeciderTests
{
    [Fact]
    public void Given_paid_order_When_fulfil_Then_fulfilled() =>
        Given(Created, PaymentRequested(), Paid()).When(Fulfil()).Then(Fulfilled());

    [Fact]
    public void Given_fulfilled_order_When_fulfil_Then_nothing_happens() =>
        Given(Created, PaymentRequested(), Paid(), Fulfilled()).When(Fulfil(at: 9)).Then();

    [Fact]
    public void Given_created_order_When_fulfil_Then_not_paid() =>
        Given(Created).When(Fulfil()).Then("order.not_paid");

    [Fact]
    public void Given_awaiting_payment_When_fulfil_Then_not_paid() =>
        Given(Created, PaymentRequested()).When(Fulfil()).Then("order.not_paid");

    [Fact]
    public void Given_failed_payment_When_fulfil_Then_not_paid() =>
        Given(Created, PaymentRequested(), PaymentFailed()).When(Fulfil()).Then("order.not_paid");

    [Fact]
    public void Given_no_order_When_fulfil_Then_not_found() =>
        Given().When(Fulfil()).Then("order.not_found");

    [Fact]
    public void Given_cancelled_order_When_fulfil_Then_cancelled() =>
        Given(Created, Cancelled()).When(Fulfil(at: 5)).Then("order.cancelled");
}
