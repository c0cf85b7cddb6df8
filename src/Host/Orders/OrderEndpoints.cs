using Ledger.Application;
using Ledger.Application.Orders;
using Ledger.Domain.Orders;
using Ledger.Host.Auth;
using Ledger.Host.Errors;
using Ledger.Host.Http;
using Ledger.Host.WritePath;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ledger.Host.Orders;

/// <summary>
/// The order resource. Each handler: parse and validate (400 before anything runs), build the command with the
/// tenant and actor from the token, call the application handler, answer with the new version.
/// </summary>
public static class OrderEndpoints
{
    public static IEndpointRouteBuilder MapOrders(this IEndpointRouteBuilder app)
    {
        var orders = app.MapGroup("/api/orders").WithTags("Orders").WithWritePath("order");
        orders.MapPost("", Create).WithName("createOrder").WithSummary("Create an order")
            .RequireAuthorization(LedgerPolicies.WriteOrders).Accepts<CreateOrderRequest>("application/json");
        orders.MapGet("/{id}", Get).WithName("getOrder").WithSummary("Get an order")
            .RequireAuthorization(LedgerPolicies.ReadOrder);
        orders.MapPost("/{id}/payment-requests", RequestPayment).WithName("requestOrderPayment").WithSummary("Request payment of an order")
            .RequireAuthorization(LedgerPolicies.WriteOrders).Accepts<EmptyRequest>(isOptional: true, "application/json");
        orders.MapPost("/{id}/payments", Pay).WithName("payOrder").WithSummary("Record an order's payment")
            .RequireAuthorization(LedgerPolicies.WriteOrders).Accepts<PayOrderRequest>("application/json");
        orders.MapPost("/{id}/payment-failures", FailPayment).WithName("failOrderPayment").WithSummary("Record a failed payment")
            .RequireAuthorization(LedgerPolicies.WriteOrders).Accepts<ReasonRequest>("application/json");
        orders.MapPost("/{id}/fulfilment", Fulfil).WithName("fulfilOrder").WithSummary("Fulfil a paid order")
            .RequireAuthorization(LedgerPolicies.WriteOrders).Accepts<EmptyRequest>(isOptional: true, "application/json");
        orders.MapPost("/{id}/cancellation", Cancel).WithName("cancelOrder").WithSummary("Cancel an order")
            .RequireAuthorization(LedgerPolicies.WriteOrders).Accepts<ReasonRequest>("application/json");
        return app;
    }

    internal static async Task<Results<Created<OrderWritten>, Ok<OrderWritten>>> Create(
        HttpContext http, OrderHandler handler, TimeProvider clock, CancellationToken ct)
    {
        var expected = ETags.ExpectedVersion(http.Request);
        var body = await JsonBody.ReadAsync<CreateOrderRequest>(http.Request, ct);
        var context = HttpCommandContext.From(http, clock);
        var command = OrderCommandMapping.Create(body, context);
        var written = await Send(http, handler, context, command, expected, ct);
        return written.Appended
            ? TypedResults.Created($"/api/orders/{command.OrderId:D}", written.Body)
            : TypedResults.Ok(written.Body);
    }

    internal static async Task<Results<Ok<OrderView>, ProblemHttpResult>> Get(
        string id, HttpContext http, OrderHandler handler, CancellationToken ct)
    {
        var orderId = OrderCommandMapping.OrderId(id);
        // Another tenant's order is simply not found in this tenant: its existence is not disclosed.
        var snapshot = await handler.Load(http.User.TenantId(), orderId, ct);
        if (snapshot?.State.Facts is not { } facts)
            return Problems.Result(StatusCodes.Status404NotFound, ProblemCodes.OrderNotFound, "Order not found");
        http.Response.Headers.ETag = ETags.Of(snapshot.Version);
        return TypedResults.Ok(OrderView.From(facts, snapshot));
    }

    internal static async Task<Ok<OrderWritten>> RequestPayment(
        string id, HttpContext http, OrderHandler handler, TimeProvider clock, CancellationToken ct)
    {
        var (orderId, expected) = Target(id, http);
        await JsonBody.ReadOptionalAsync(http.Request, EmptyRequest.Instance, ct);
        var context = HttpCommandContext.From(http, clock);
        return TypedResults.Ok((await Send(http, handler, context, new RequestPayment(orderId, context.Now, context.Actor), expected, ct)).Body);
    }

    internal static async Task<Ok<OrderWritten>> Pay(
        string id, HttpContext http, OrderHandler handler, TimeProvider clock, CancellationToken ct)
    {
        var (orderId, expected) = Target(id, http);
        var body = await JsonBody.ReadAsync<PayOrderRequest>(http.Request, ct);
        var context = HttpCommandContext.From(http, clock);
        var command = OrderCommandMapping.Pay(orderId, body, context);
        return TypedResults.Ok((await Send(http, handler, context, command, expected, ct)).Body);
    }

    internal static async Task<Ok<OrderWritten>> FailPayment(
        string id, HttpContext http, OrderHandler handler, TimeProvider clock, CancellationToken ct)
    {
        var (orderId, expected) = Target(id, http);
        var reason = OrderCommandMapping.Reason(await JsonBody.ReadAsync<ReasonRequest>(http.Request, ct));
        var context = HttpCommandContext.From(http, clock);
        return TypedResults.Ok((await Send(http, handler, context, new FailPayment(orderId, reason, context.Now, context.Actor), expected, ct)).Body);
    }

    internal static async Task<Ok<OrderWritten>> Fulfil(
        string id, HttpContext http, OrderHandler handler, TimeProvider clock, CancellationToken ct)
    {
        var (orderId, expected) = Target(id, http);
        await JsonBody.ReadOptionalAsync(http.Request, EmptyRequest.Instance, ct);
        var context = HttpCommandContext.From(http, clock);
        return TypedResults.Ok((await Send(http, handler, context, new FulfilOrder(orderId, context.Now, context.Actor), expected, ct)).Body);
    }

    internal static async Task<Ok<OrderWritten>> Cancel(
        string id, HttpContext http, OrderHandler handler, TimeProvider clock, CancellationToken ct)
    {
        var (orderId, expected) = Target(id, http);
        var reason = OrderCommandMapping.Reason(await JsonBody.ReadAsync<ReasonRequest>(http.Request, ct));
        var context = HttpCommandContext.From(http, clock);
        return TypedResults.Ok((await Send(http, handler, context, new CancelOrder(orderId, reason, context.Now, context.Actor), expected, ct)).Body);
    }

    private static (Guid OrderId, long? Expected) Target(string id, HttpContext http) =>
        (OrderCommandMapping.OrderId(id), ETags.ExpectedVersion(http.Request));

    private static async Task<(OrderWritten Body, bool Appended)> Send(
        HttpContext http, OrderHandler handler, CommandContext context, OrderCommand command, long? expected, CancellationToken ct)
    {
        var result = await handler.Handle(context, command, expected, ct);
        http.Response.Headers.ETag = ETags.Of(result.Version);
        if (result.Position is { } position) http.Response.Headers["X-Ledger-Position"] = position.ToString();
        return (OrderWritten.From(command.OrderId, result), result.EventsAppended > 0);
    }
}
