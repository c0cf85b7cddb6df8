namespace Ledger.Host.Messaging.Inbound;

/// <summary>
/// Headers Ledger keeps on a received message's Wolverine envelope. They travel with it into the inbox and the
/// dead-letter storage (the envelope is stored whole), which is how <c>ledger dlq</c> shows what the broker said and
/// why the message failed.
/// </summary>
public static class InboundHeaders
{
    /// <summary>The AMQP <c>type</c> property: the message type as the producer named it (<c>payments.payment.confirmed.v1</c>).</summary>
    public const string AmqpType = "ledger-amqp-type";

    /// <summary>The AMQP <c>message_id</c> as received (the envelope id is its parsed form).</summary>
    public const string AmqpMessageId = "ledger-amqp-message-id";

    /// <summary>The W3C trace context the producer sent.</summary>
    public const string TraceParent = "traceparent";

    /// <summary>The stable code of a refusal or rejection (<c>order.payment_not_requested</c>, <c>schema_violation</c>).</summary>
    public const string ErrorCode = "ledger-error-code";

    /// <summary>The type of the error a refusal carried, when it was wrapped (a rejected payload names its cause).</summary>
    public const string ErrorType = "ledger-error-type";
}
