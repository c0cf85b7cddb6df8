using System.Text.Json;
using Ledger.Application.Json;
using Ledger.Domain.Orders;
using Ledger.EventStore;
using Ledger.EventStore.Privacy;

namespace Ledger.Application.Orders;

/// <summary>
/// Maps each order event to the name, version and JSON data it is stored under, and back. The mapping is written
/// out per event, never derived from CLR type names, so renaming a class cannot change what is stored.
/// </summary>
public static class OrderEventCodec
{
    public const string Created = "commerce.order.created";
    public const string PaymentRequested = "commerce.order.payment_requested";
    public const string Paid = "commerce.order.paid";
    public const string PaymentFailed = "commerce.order.payment_failed";
    public const string Fulfilled = "commerce.order.fulfilled";
    public const string Cancelled = "commerce.order.cancelled";

    /// <summary>The event type names this codec reads and writes.</summary>
    public static IReadOnlyList<string> EventTypes { get; } = [Created, PaymentRequested, Paid, PaymentFailed, Fulfilled, Cancelled];

    /// <summary>The stored shape of each event type and version this codec writes: how Marten stores and names them.</summary>
    public static IEnumerable<(string EventType, int TypeVersion, Type Shape)> StoredShapes { get; } =
    [
        (Created, 1, typeof(OrderCreatedV1)), (Created, 2, typeof(OrderCreatedV2)), (PaymentRequested, 1, typeof(OrderPaymentRequestedV1)), (Paid, 1, typeof(OrderPaidV1)),
        (PaymentFailed, 1, typeof(OrderPaymentFailedV1)), (Fulfilled, 1, typeof(OrderFulfilledV1)), (Cancelled, 1, typeof(OrderCancelledV1)),
    ];

    /// <summary>
    /// The stored form of <paramref name="e"/>. An order with personal data is created as version 2, the data sealed
    /// under <paramref name="customerKey"/> (<see cref="SealedPersonalV1"/>); one without is version 1, whose data it
    /// is exactly (version 1 differs only in holding personal data in clear, which is never written again).
    /// </summary>
    public static EncodedEvent Encode(OrderEvent e, SubjectKey? customerKey = null)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e switch
        {
            OrderCreated { Personal: null } c => Write(Created, OrderCreatedV1.From(c)),
            OrderCreated c => Write(Created, OrderCreatedV2.From(c, customerKey), 2),
            OrderPaymentRequested r => Write(PaymentRequested, OrderPaymentRequestedV1.From(r)),
            OrderPaid p => Write(Paid, OrderPaidV1.From(p)),
            OrderPaymentFailed f => Write(PaymentFailed, OrderPaymentFailedV1.From(f)),
            OrderFulfilled f => Write(Fulfilled, OrderFulfilledV1.From(f)),
            OrderCancelled c => Write(Cancelled, OrderCancelledV1.From(c)),
            _ => throw new ArgumentOutOfRangeException(nameof(e), $"{e.GetType().Name} has no stored form."),
        };
    }

    /// <summary>
    /// The order event a stored shape Marten loaded holds (Marten folds a stream's shapes for a command handler), or
    /// null when the data is no order event.
    /// </summary>
    public static OrderEvent? FromShape(object data) => data switch
    {
        OrderCreatedV1 c => c.ToEvent(),
        OrderCreatedV2 c => c.ToEvent(),
        OrderPaymentRequestedV1 r => r.ToEvent(),
        OrderPaidV1 p => p.ToEvent(),
        OrderPaymentFailedV1 f => f.ToEvent(),
        OrderFulfilledV1 f => f.ToEvent(),
        OrderCancelledV1 c => c.ToEvent(),
        _ => null,
    };

    public static OrderEvent Decode(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        try
        {
            return Decode(recorded.EventType, recorded.TypeVersion, recorded.Data);
        }
        catch (JsonException error)
        {
            throw new JsonException(
                $"Event {recorded.EventId} ({recorded.EventType} v{recorded.TypeVersion}) at {recorded.StreamId}@{recorded.StreamVersion} " +
                $"does not have the data shape of its type: {error.Message}", error);
        }
    }

    /// <exception cref="UnknownEventTypeException">the name and version is not an order event this codec knows.</exception>
    /// <exception cref="JsonException">the data does not have the shape its type and version promise.</exception>
    public static OrderEvent Decode(string eventType, int typeVersion, JsonElement data) => (eventType, typeVersion) switch
    {
        (Created, 1) => Read<OrderCreatedV1>(data).ToEvent(),
        (Created, 2) => Read<OrderCreatedV2>(data).ToEvent(),
        (PaymentRequested, 1) => Read<OrderPaymentRequestedV1>(data).ToEvent(),
        (Paid, 1) => Read<OrderPaidV1>(data).ToEvent(),
        (PaymentFailed, 1) => Read<OrderPaymentFailedV1>(data).ToEvent(),
        (Fulfilled, 1) => Read<OrderFulfilledV1>(data).ToEvent(),
        (Cancelled, 1) => Read<OrderCancelledV1>(data).ToEvent(),
        _ => throw new UnknownEventTypeException(eventType, typeVersion),
    };

    private static EncodedEvent Write<T>(string eventType, T data, int typeVersion = 1) =>
        new(eventType, typeVersion, JsonSerializer.SerializeToElement(data, LedgerJson.Options));

    private static T Read<T>(JsonElement data) where T : class =>
        data.ValueKind == JsonValueKind.Object
            ? data.Deserialize<T>(LedgerJson.Options) ?? throw new JsonException($"No data for {typeof(T).Name}.")
            : throw new JsonException($"Event data must be a JSON object, found {data.ValueKind}.");
}
