using Ledger.Domain.Money;

namespace Ledger.Domain.Orders;

/// <summary>
/// The order aggregate as a decider: <see cref="Decide"/> turns a command and the current state into new events
/// (or refuses with a <see cref="DomainError"/>); <see cref="Evolve"/> folds one event into the state. Both are pure:
/// time comes from the command, never from a clock. A command repeated after it took effect returns no events.
/// </summary>
public static class OrderDecider
{
    public static Order Initial { get; } = new Order.None();

    public static OrderEvent[] Decide(OrderCommand command, Order state)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(state);
        return (command, state) switch
        {
            (CreateOrder create, Order.None) => [Create(create)],
            (CreateOrder, _) => throw Refuse(OrderErrors.AlreadyExists, command, "already exists"),
            (_, Order.None) => throw Refuse(OrderErrors.NotFound, command, "does not exist"),

            (CancelOrder, Order.Cancelled) => [],
            (_, Order.Cancelled) => throw Refuse(OrderErrors.Cancelled, command, "was cancelled"),

            (RequestPayment request, Order.Created s) => [new OrderPaymentRequested(request.OrderId, s.Facts.Total, request.Now)],
            (RequestPayment request, Order.PaymentFailed s) => [new OrderPaymentRequested(request.OrderId, s.Facts.Total, request.Now)],
            (RequestPayment, Order.AwaitingPayment) => [],
            (RequestPayment, Order.Paid or Order.Fulfilled) => throw Refuse(OrderErrors.AlreadyPaid, command, "is already paid"),

            (PayOrder pay, _) when string.IsNullOrWhiteSpace(pay.PaymentReference) =>
                throw Refuse(OrderErrors.PaymentReferenceRequired, command, "cannot be paid without a payment reference"),
            (PayOrder pay, Order.AwaitingPayment s) when pay.Amount == s.Facts.Total =>
                [new OrderPaid(pay.OrderId, pay.Amount, pay.PaymentReference, pay.Now)],
            (PayOrder, Order.AwaitingPayment) => throw Refuse(OrderErrors.AmountMismatch, command, "is paid with an amount that is not its total"),
            (PayOrder pay, Order.Paid or Order.Fulfilled) => Repay(pay, state.Payment!),
            (PayOrder, Order.Created or Order.PaymentFailed) =>
                throw Refuse(OrderErrors.PaymentNotRequested, command, "has no payment request outstanding"),

            (FailPayment fail, Order.AwaitingPayment) => [new OrderPaymentFailed(fail.OrderId, fail.Reason, fail.Now)],
            (FailPayment, Order.PaymentFailed) => [],
            (FailPayment, Order.Created) => throw Refuse(OrderErrors.PaymentNotRequested, command, "has no payment request outstanding"),
            (FailPayment, Order.Paid or Order.Fulfilled) => throw Refuse(OrderErrors.AlreadyPaid, command, "is already paid"),

            (FulfilOrder fulfil, Order.Paid) => [new OrderFulfilled(fulfil.OrderId, fulfil.Now)],
            (FulfilOrder, Order.Fulfilled) => [],
            (FulfilOrder, Order.Created or Order.AwaitingPayment or Order.PaymentFailed) =>
                throw Refuse(OrderErrors.NotPaid, command, "cannot be fulfilled before it is paid"),

            (CancelOrder cancel, Order.Created or Order.AwaitingPayment or Order.PaymentFailed) =>
                [new OrderCancelled(cancel.OrderId, cancel.Reason, cancel.Now)],
            (CancelOrder, Order.Paid or Order.Fulfilled) => throw Refuse(OrderErrors.CannotCancelPaid, command, "is paid and cannot be cancelled"),

            _ => throw new ArgumentOutOfRangeException(nameof(command), $"{command.GetType().Name} is not an order command this decider knows."),
        };
    }

    public static Order Evolve(Order state, OrderEvent e)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(e);
        return (state, e) switch
        {
            (Order.None, OrderCreated c) => new Order.Created(new OrderFacts(c.OrderId, c.CustomerId, c.Currency, c.Lines, c.Total, c.CreatedAt)),
            (Order.Created s, OrderPaymentRequested r) => new Order.AwaitingPayment(s.Facts, r.RequestedAt),
            (Order.PaymentFailed s, OrderPaymentRequested r) => new Order.AwaitingPayment(s.Facts, r.RequestedAt),
            (Order.AwaitingPayment s, OrderPaid p) => new Order.Paid(s.Facts, new OrderPayment(p.Amount, p.PaymentReference, p.PaidAt)),
            (Order.AwaitingPayment s, OrderPaymentFailed f) => new Order.PaymentFailed(s.Facts, f.Reason, f.FailedAt),
            (Order.Paid s, OrderFulfilled f) => new Order.Fulfilled(s.Facts, s.Payment, f.FulfilledAt),
            (Order.Created or Order.AwaitingPayment or Order.PaymentFailed, OrderCancelled c) =>
                new Order.Cancelled(state.Facts!, c.Reason, c.CancelledAt),
            // Recorded events are facts: a fold never refuses history. Decide never emits an event that does not
            // apply, so an event reaching here would come from outside the decider and leaves the state as it is.
            _ => state,
        };
    }

    private static OrderCreated Create(CreateOrder create)
    {
        if (string.IsNullOrWhiteSpace(create.CustomerId))
            throw Refuse(OrderErrors.CustomerRequired, create, "needs a customer");
        if (!Currency.TryGet(create.Currency, out var currency))
            throw Refuse(OrderErrors.UnknownCurrency, create, $"is in '{create.Currency}', which is not an ISO 4217 currency code");

        var total = OrderPricing.Total(create.Lines, currency);
        if (create.ExpectedTotal is { } expected && expected != total)
            throw Refuse(OrderErrors.TotalMismatch, create, $"totals {total} {currency.Code}, not the expected {expected}");

        return new OrderCreated(create.OrderId, create.CustomerId, currency.Code, [.. create.Lines], total, create.Now, create.Personal);
    }

    /// <summary>
    /// A payment arriving for a paid order: the same payment delivered again (same reference and amount) changes
    /// nothing; any other payment would be a second one and is refused.
    /// </summary>
    private static OrderEvent[] Repay(PayOrder pay, OrderPayment settled) =>
        pay.PaymentReference != settled.Reference
            ? throw Refuse(OrderErrors.AlreadyPaid, pay, $"is already paid under another payment reference")
            : pay.Amount != settled.Amount
                ? throw Refuse(OrderErrors.AmountMismatch, pay, "was paid under this reference with another amount")
                : [];

    private static DomainError Refuse(string code, OrderCommand command, string what) =>
        OrderErrors.Refuse(code, $"Order {command.OrderId} {what}.");
}
