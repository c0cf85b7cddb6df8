using System.Globalization;
using Ledger.Application.Orders;
using Ledger.Domain.Orders;

namespace Ledger.Host.Orders;

/// <summary>The answer to an accepted order command.</summary>
public sealed record OrderWritten(Guid OrderId, long Version, string? Position)
{
    public static OrderWritten From(Guid orderId, OrderDecision decision) =>
        new(orderId, decision.Version, decision.Position?.ToString());
}

/// <summary>
/// An order as the API shows it. Amounts are decimal strings. <c>personal_data</c> (the customer's name and email) is
/// there only for a reader allowed to see it (clerks, privacy officers) and only when the order has some; after the
/// customer's erasure it reads <c>erased</c>.
/// </summary>
public sealed record OrderView(
    Guid OrderId,
    string Status,
    string CustomerId,
    string Currency,
    IReadOnlyList<OrderLineView> Lines,
    string Total,
    string? PaidAmount,
    string? PaymentReference,
    string? FailureReason,
    string? CancellationReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset? PaidAt,
    DateTimeOffset? FulfilledAt,
    DateTimeOffset? UpdatedAt,
    long Version,
    Privacy.PersonalDataView? PersonalData = null)
{
    public static OrderView From(OrderFacts facts, OrderStream stream, Privacy.PersonalDataView? personalData = null)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(stream);
        var order = stream.State;
        return new OrderView(
            facts.OrderId, order.Status, facts.CustomerId, facts.Currency,
            facts.Lines.Select(l => new OrderLineView(l.Sku, l.Description, l.Quantity, Money(l.UnitPrice))).ToList(),
            Money(facts.Total), order.PaidAmount is { } paid ? Money(paid) : null, order.PaymentReference,
            order.FailureReason, order.CancellationReason, facts.CreatedAt, order.PaidAt, order.FulfilledAt, order.UpdatedAt,
            stream.Version, personalData);
    }

    private static string Money(decimal amount) => amount.ToString(CultureInfo.InvariantCulture);
}

public sealed record OrderLineView(string Sku, string Description, int Quantity, string UnitPrice);
