using Ledger.Domain.Orders;

namespace Ledger.Domain.Tests.Orders;

/// <summary>One order and the events and commands of its lifecycle, so tests read as the story they tell.</summary>
internal static class OrderExamples
{
    public static readonly Guid OrderId = Guid.Parse("0195f3a0-0000-7000-8000-000000000001");
    public const string Clerk = "clerk-7";
    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);
    public static DateTimeOffset At(int minutes) => T0.AddMinutes(minutes);

    public static readonly OrderLine[] Lines =
    [
        new("SKU-1", "Ledger paper", 2, 10.25m),
        new("SKU-2", "Fountain pen", 1, 4.50m),
    ];

    public const decimal Total = 25.00m;
    public static readonly CustomerPersonalData Personal = new("Ada Lovelace", "ada@example.org");

    public static CreateOrder Create(
        IReadOnlyList<OrderLine>? lines = null, string currency = "EUR", string customerId = "cust-42", decimal? expectedTotal = null) =>
        new(OrderId, customerId, currency, lines ?? Lines, expectedTotal, Personal, T0, Clerk);

    public static RequestPayment RequestPayment(int at = 1) => new(OrderId, At(at), Clerk);
    public static PayOrder Pay(decimal amount = Total, string reference = "psp-1", int at = 2) => new(OrderId, amount, reference, At(at), Clerk);
    public static FailPayment FailPayment(string reason = "card declined", int at = 2) => new(OrderId, reason, At(at), Clerk);
    public static FulfilOrder Fulfil(int at = 3) => new(OrderId, At(at), Clerk);
    public static CancelOrder Cancel(string reason = "customer changed mind", int at = 3) => new(OrderId, reason, At(at), Clerk);

    public static readonly OrderCreated Created = new(OrderId, "cust-42", "EUR", Lines, Total, T0, Personal);
    public static OrderPaymentRequested PaymentRequested(int at = 1) => new(OrderId, Total, At(at));
    public static OrderPaid Paid(string reference = "psp-1", int at = 2) => new(OrderId, Total, reference, At(at));
    public static OrderPaymentFailed PaymentFailed(string reason = "card declined", int at = 2) => new(OrderId, reason, At(at));
    public static OrderFulfilled Fulfilled(int at = 3) => new(OrderId, At(at));
    public static OrderCancelled Cancelled(string reason = "customer changed mind", int at = 3) => new(OrderId, reason, At(at));
}
