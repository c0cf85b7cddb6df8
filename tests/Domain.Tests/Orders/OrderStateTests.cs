using Ledger.Domain.Orders;
using static Ledger.Domain.Tests.Orders.OrderExamples;

namespace Ledger.Domain.Tests.Orders;

/// <summary>What readers see of an order after each event, through the base properties alone.</summary>
public class OrderStateTests
{
    private static Order Fold(params OrderEvent[] history) => history.Aggregate(OrderDecider.Initial, OrderDecider.Evolve);

    [Fact]
    public void Given_no_events_Then_no_order()
    {
        var order = Fold();
        order.ShouldBeOfType<Order.None>();
        order.Status.ShouldBe("none");
        order.Facts.ShouldBeNull();
        order.UpdatedAt.ShouldBeNull();
    }

    [Fact]
    public void Given_created_Then_facts_are_those_of_the_order()
    {
        var order = Fold(Created);
        order.Status.ShouldBe("created");
        var facts = order.Facts.ShouldNotBeNull();
        facts.Lines.ShouldBe(Lines);
        (facts with { Lines = Lines }).ShouldBe(new OrderFacts(OrderId, "cust-42", "EUR", Lines, Total, T0));
        order.UpdatedAt.ShouldBe(T0);
    }

    [Fact]
    public void Given_payment_requested_Then_status_payment_requested() =>
        Fold(Created, PaymentRequested()).ShouldSatisfyAllConditions(
            o => o.Status.ShouldBe("payment_requested"),
            o => o.UpdatedAt.ShouldBe(At(1)),
            o => o.Facts!.Total.ShouldBe(Total));

    [Fact]
    public void Given_payment_failed_Then_the_reason_is_shown() =>
        Fold(Created, PaymentRequested(), PaymentFailed("insufficient funds")).ShouldSatisfyAllConditions(
            o => o.Status.ShouldBe("payment_failed"),
            o => o.FailureReason.ShouldBe("insufficient funds"),
            o => o.UpdatedAt.ShouldBe(At(2)));

    [Fact]
    public void Given_paid_Then_the_payment_is_shown() =>
        Fold(Created, PaymentRequested(), Paid("psp-9")).ShouldSatisfyAllConditions(
            o => o.Status.ShouldBe("paid"),
            o => o.PaidAmount.ShouldBe(Total),
            o => o.PaymentReference.ShouldBe("psp-9"),
            o => o.PaidAt.ShouldBe(At(2)),
            o => o.FailureReason.ShouldBeNull());

    [Fact]
    public void Given_fulfilled_Then_payment_and_fulfilment_are_shown() =>
        Fold(Created, PaymentRequested(), Paid(), Fulfilled(at: 7)).ShouldSatisfyAllConditions(
            o => o.Status.ShouldBe("fulfilled"),
            o => o.PaymentReference.ShouldBe("psp-1"),
            o => o.FulfilledAt.ShouldBe(At(7)),
            o => o.UpdatedAt.ShouldBe(At(7)));

    [Fact]
    public void Given_cancelled_Then_the_reason_is_shown() =>
        Fold(Created, PaymentRequested(), Cancelled("duplicate")).ShouldSatisfyAllConditions(
            o => o.Status.ShouldBe("cancelled"),
            o => o.CancellationReason.ShouldBe("duplicate"),
            o => o.Facts.ShouldNotBeNull());

    [Fact]
    public void Given_an_event_that_does_not_apply_Then_the_state_is_unchanged()
    {
        var created = Fold(Created);
        OrderDecider.Evolve(created, Fulfilled()).ShouldBeSameAs(created);
    }
}
