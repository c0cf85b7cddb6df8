using Ledger.Domain.Orders;
using Ledger.EventStore.Privacy;

namespace Ledger.Application.Orders;

// The stored shape of each order event, version 1. These records are the contract with every reader of the store
// (projections, relay, auditors), so they are kept apart from the domain records: the domain may be refactored,
// a published v1 shape never changes (a new shape is a v2 with an upcaster). Names are written in snake_case and
// money as decimal strings by LedgerJson.Options.

internal sealed record OrderLineV1(string Sku, string Description, int Quantity, decimal UnitPrice)
{
    public static OrderLineV1 From(OrderLine line) => new(line.Sku, line.Description, line.Quantity, line.UnitPrice);
    public OrderLine ToLine() => new(Sku, Description, Quantity, UnitPrice);
}

/// <summary>Personal data in clear: version 1 of the created event, written before personal data was encrypted.</summary>
internal sealed record PersonalV1(string? Name = null, string? Email = null);

/// <summary>
/// Personal data sealed under the customer's key (docs/privacy.md): each field is <c>base64url(nonce ‖ ciphertext ‖
/// tag)</c>, bound to the tenant, the subject, the key's generation and the field's name. The chain hashes these
/// bytes, so erasing the key leaves every hash, checkpoint and export as it was.
/// </summary>
internal sealed record SealedPersonalV1(string SubjectId, int KeyGeneration, string? Name = null, string? Email = null)
{
    public static SealedPersonalV1? Seal(CustomerPersonalData? personal, SubjectKey? key) => personal switch
    {
        null => null,
        _ when key is null => throw new ArgumentNullException(nameof(key), "Personal data is appended only sealed under its subject's key."),
        _ => new(key.SubjectId, key.Generation,
            personal.Name is { } name ? key.Seal("name", name) : null,
            personal.Email is { } email ? key.Seal("email", email) : null),
    };

    public PersonalRecord ToRecord() => new(SubjectId, KeyGeneration, PersonalFields.Of(("name", Name), ("email", Email)));
}

/// <summary>Version 1 of the created event: written now only for orders without personal data (see <see cref="OrderCreatedV2"/>).</summary>
internal sealed record OrderCreatedV1(
    Guid OrderId,
    string CustomerId,
    string Currency,
    IReadOnlyList<OrderLineV1> Lines,
    decimal Total,
    DateTimeOffset CreatedAt,
    PersonalV1? Personal = null)
{
    /// <summary>An order without personal data (the only kind still written as version 1).</summary>
    public static OrderCreatedV1 From(OrderCreated e) =>
        e.Personal is null
            ? new(e.OrderId, e.CustomerId, e.Currency, [.. e.Lines.Select(OrderLineV1.From)], e.Total, e.CreatedAt)
            : throw new ArgumentException("Personal data is written only sealed (version 2).", nameof(e));

    public OrderCreated ToEvent() => new(
        OrderId, CustomerId, Currency, [.. Lines.Select(l => l.ToLine())], Total, CreatedAt,
        Personal is { } p ? new CustomerPersonalData(p.Name, p.Email) : null);

    public PersonalRecord? ToRecord() => Personal is { } p ? new(CustomerId, null, PersonalFields.Of(("name", p.Name), ("email", p.Email))) : null;
}

/// <summary>
/// Version 2 of the created event: its personal data sealed (<see cref="SealedPersonalV1"/>); everything else as in
/// version 1. Read back for a decision, the order has no personal data: deciding never needs it.
/// </summary>
internal sealed record OrderCreatedV2(
    Guid OrderId,
    string CustomerId,
    string Currency,
    IReadOnlyList<OrderLineV1> Lines,
    decimal Total,
    DateTimeOffset CreatedAt,
    SealedPersonalV1? Personal = null)
{
    public static OrderCreatedV2 From(OrderCreated e, SubjectKey? key) => new(
        e.OrderId, e.CustomerId, e.Currency, [.. e.Lines.Select(OrderLineV1.From)], e.Total, e.CreatedAt, SealedPersonalV1.Seal(e.Personal, key));

    public OrderCreated ToEvent() => new(OrderId, CustomerId, Currency, [.. Lines.Select(l => l.ToLine())], Total, CreatedAt, null);
}

internal sealed record OrderPaymentRequestedV1(Guid OrderId, decimal Amount, DateTimeOffset RequestedAt)
{
    public static OrderPaymentRequestedV1 From(OrderPaymentRequested e) => new(e.OrderId, e.Amount, e.RequestedAt);
    public OrderPaymentRequested ToEvent() => new(OrderId, Amount, RequestedAt);
}

internal sealed record OrderPaidV1(Guid OrderId, decimal Amount, string PaymentReference, DateTimeOffset PaidAt)
{
    public static OrderPaidV1 From(OrderPaid e) => new(e.OrderId, e.Amount, e.PaymentReference, e.PaidAt);
    public OrderPaid ToEvent() => new(OrderId, Amount, PaymentReference, PaidAt);
}

internal sealed record OrderPaymentFailedV1(Guid OrderId, string Reason, DateTimeOffset FailedAt)
{
    public static OrderPaymentFailedV1 From(OrderPaymentFailed e) => new(e.OrderId, e.Reason, e.FailedAt);
    public OrderPaymentFailed ToEvent() => new(OrderId, Reason, FailedAt);
}

internal sealed record OrderFulfilledV1(Guid OrderId, DateTimeOffset FulfilledAt)
{
    public static OrderFulfilledV1 From(OrderFulfilled e) => new(e.OrderId, e.FulfilledAt);
    public OrderFulfilled ToEvent() => new(OrderId, FulfilledAt);
}

internal sealed record OrderCancelledV1(Guid OrderId, string Reason, DateTimeOffset CancelledAt)
{
    public static OrderCancelledV1 From(OrderCancelled e) => new(e.OrderId, e.Reason, e.CancelledAt);
    public OrderCancelled ToEvent() => new(OrderId, Reason, CancelledAt);
}
