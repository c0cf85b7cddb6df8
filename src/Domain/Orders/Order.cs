namespace Ledger.Domain.Orders;

/// <summary>
/// Where an order is in its lifecycle: created → awaiting payment → paid | payment failed (→ awaiting payment again)
/// → fulfilled; cancelled before payment. The hierarchy is closed (the constructor is private), so a switch over
/// these cases is complete. Readers that only render an order use the base properties and need not switch.
/// </summary>
public abstract record Order
{
    private Order()
    {
    }

    /// <summary>The lifecycle phase as a stable lower-case word, as APIs and read models show it.</summary>
    public abstract string Status { get; }

    /// <summary>What the order is; null only for <see cref="None"/>.</summary>
    public virtual OrderFacts? Facts => null;

    /// <summary>The payment that settled the order, once paid.</summary>
    public virtual OrderPayment? Payment => null;

    public decimal? PaidAmount => Payment?.Amount;

    public string? PaymentReference => Payment?.Reference;

    public DateTimeOffset? PaidAt => Payment?.PaidAt;

    /// <summary>Why the last payment failed, while the order waits for a new payment request.</summary>
    public virtual string? FailureReason => null;

    public virtual string? CancellationReason => null;

    public virtual DateTimeOffset? FulfilledAt => null;

    /// <summary>When the order last changed.</summary>
    public abstract DateTimeOffset? UpdatedAt { get; }

    /// <summary>No order: its stream does not exist yet.</summary>
    public sealed record None : Order
    {
        public override string Status => "none";
        public override DateTimeOffset? UpdatedAt => null;
    }

    public sealed record Created(OrderFacts Facts) : Order
    {
        public override OrderFacts Facts { get; } = Facts;
        public override string Status => "created";
        public override DateTimeOffset? UpdatedAt => Facts.CreatedAt;
    }

    /// <summary>Payment of the total was requested and no outcome is known yet.</summary>
    public sealed record AwaitingPayment(OrderFacts Facts, DateTimeOffset RequestedAt) : Order
    {
        public override OrderFacts Facts { get; } = Facts;
        public override string Status => "payment_requested";
        public override DateTimeOffset? UpdatedAt => RequestedAt;
    }

    public sealed record PaymentFailed(OrderFacts Facts, string Reason, DateTimeOffset FailedAt) : Order
    {
        public override OrderFacts Facts { get; } = Facts;
        public override string Status => "payment_failed";
        public override string? FailureReason => Reason;
        public override DateTimeOffset? UpdatedAt => FailedAt;
    }

    public sealed record Paid(OrderFacts Facts, OrderPayment Payment) : Order
    {
        public override OrderFacts Facts { get; } = Facts;
        public override OrderPayment Payment { get; } = Payment;
        public override string Status => "paid";
        public override DateTimeOffset? UpdatedAt => Payment.PaidAt;
    }

    public sealed record Fulfilled(OrderFacts Facts, OrderPayment Payment, DateTimeOffset FulfilledOn) : Order
    {
        public override OrderFacts Facts { get; } = Facts;
        public override OrderPayment Payment { get; } = Payment;
        public override string Status => "fulfilled";
        public override DateTimeOffset? FulfilledAt => FulfilledOn;
        public override DateTimeOffset? UpdatedAt => FulfilledOn;
    }

    public sealed record Cancelled(OrderFacts Facts, string Reason, DateTimeOffset CancelledAt) : Order
    {
        public override OrderFacts Facts { get; } = Facts;
        public override string Status => "cancelled";
        public override string? CancellationReason => Reason;
        public override DateTimeOffset? UpdatedAt => CancelledAt;
    }
}
