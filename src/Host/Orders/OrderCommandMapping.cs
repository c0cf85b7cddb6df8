using System.Text.RegularExpressions;
using Ledger.Application;
using Ledger.Domain.Orders;
using Ledger.Host.Http;

namespace Ledger.Host.Orders;

/// <summary>
/// Turns validated request bodies into domain commands. The form of the input is checked here (400); whether the
/// domain accepts it (totals, lifecycle, ISO currency list) is the decider's call (422).
/// </summary>
public static partial class OrderCommandMapping
{
    public const int MaxLines = 100;
    public const int MaxQuantity = 1_000_000;

    public static Guid OrderId(string id)
    {
        var validation = new RequestValidation();
        var orderId = validation.Uuid("id", id);
        validation.ThrowIfInvalid();
        return orderId;
    }

    public static CreateOrder Create(CreateOrderRequest body, CommandContext context)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(context);
        var v = new RequestValidation();
        var orderId = body.OrderId is null ? Guid.CreateVersion7(context.Now) : v.Uuid("order_id", body.OrderId);
        var customerId = v.Identifier("customer_id", body.CustomerId, 64);
        if (!CurrencyCode().IsMatch(body.Currency)) v.Fail("currency", RequestValidation.InvalidFormat, "must be a three-letter ISO 4217 code such as EUR");
        if (body.Lines.Count is 0 or > MaxLines) v.Fail("lines", RequestValidation.OutOfRange, $"must hold between 1 and {MaxLines} lines");
        var lines = body.Lines.Take(MaxLines).Select((line, i) => Line(v, $"lines[{i}]", line)).ToList();
        decimal? total = body.Total is { } t ? v.Money("total", t) : null;
        var personal = body.Customer is null ? null : Personal(v, body.Customer);
        v.ThrowIfInvalid();
        return new CreateOrder(orderId, customerId, body.Currency, lines, total, personal, context.Now, context.Actor);
    }

    public static PayOrder Pay(Guid orderId, PayOrderRequest body, CommandContext context)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(context);
        var v = new RequestValidation();
        var amount = v.Money("amount", body.Amount);
        var reference = v.Identifier("payment_reference", body.PaymentReference, 128);
        v.ThrowIfInvalid();
        return new PayOrder(orderId, amount, reference, context.Now, context.Actor);
    }

    public static string Reason(ReasonRequest body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var v = new RequestValidation();
        var reason = v.Text("reason", body.Reason, 500);
        v.ThrowIfInvalid();
        return reason;
    }

    private static OrderLine Line(RequestValidation v, string path, OrderLineRequest line) => new(
        v.Identifier(path + ".sku", line.Sku, 64),
        v.Text(path + ".description", line.Description, 200),
        v.Range(path + ".quantity", line.Quantity, 1, MaxQuantity),
        v.Money(path + ".unit_price", line.UnitPrice));

    private static CustomerPersonalData Personal(RequestValidation v, CustomerRequest customer)
    {
        if (customer.Name is not null) v.Text("customer.name", customer.Name, 200);
        if (customer.Email is not null && (v.Text("customer.email", customer.Email, 254).Length > 0) && !EmailShape().IsMatch(customer.Email))
            v.Fail("customer.email", RequestValidation.InvalidFormat, "must look like an email address");
        return new CustomerPersonalData(customer.Name, customer.Email);
    }

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyCode();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+$")]
    private static partial Regex EmailShape();
}
