using Ledger.Application.Orders;
using Ledger.Domain.Orders;
using Ledger.EventStore;
using Ledger.EventStore.MartenStore;
using Ledger.Host.Auth;
using Ledger.Host.Errors;
using Ledger.Host.Http;
using Ledger.Host.Privacy;
using Ledger.Host.WritePath;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine;
using Wolverine.Http;

namespace Ledger.Host.Orders;

/// <summary>
/// The order resource, as Wolverine HTTP endpoints. Each write: parse and validate (400 before anything runs), build
/// the command with the tenant and actor from the token, have Wolverine run it (<see cref="OrderCommandHandler"/>, the
/// aggregate handler workflow) in the caller's tenant, answer with the new version.
/// </summary>
/// <remarks>
/// Bodies are read by <see cref="JsonBody"/>, not bound by Wolverine: Ledger's strict reading (unknown members, exact
/// types, problem codes per field) is part of the API contract. <c>If-Match</c> has no Wolverine binding either; it
/// travels on the command (<see cref="DecideOrder.ExpectedVersion"/>).
/// </remarks>
[Tags("Orders")]
[WritePathMetadata("order")]
public static class OrderEndpoints
{
    [WolverinePost("/api/orders", OperationId = "createOrder"), EndpointSummary("Create an order")]
    [Authorize(Policy = LedgerPolicies.WriteOrders), AcceptsJson(typeof(CreateOrderRequest))]
    public static async Task<Results<Created<OrderWritten>, Ok<OrderWritten>>> Create(
        HttpContext http, IMessageBus bus, TimeProvider clock, CancellationToken ct)
    {
        var expected = ETags.ExpectedVersion(http.Request);
        var body = await JsonBody.ReadAsync<CreateOrderRequest>(http.Request, ct);
        var context = HttpCommandContext.From(http, clock);
        var command = OrderCommandMapping.Create(body, context);
        if (command.Personal is not null) DataSubjectOfRequest.Set(http, command.CustomerId);
        var (written, appended) = await Send(http, bus, new DecideOrder(command, context, expected), ct);
        return appended
            ? TypedResults.Created($"/api/orders/{command.OrderId:D}", written)
            : TypedResults.Ok(written);
    }

    [WolverineGet("/api/orders/{id}", OperationId = "getOrder"), EndpointSummary("Get an order")]
    [Authorize(Policy = LedgerPolicies.ReadOrder)]
    public static async Task<Results<Ok<OrderView>, ProblemHttpResult>> Get(string id, HttpContext http, IDocumentStore store, CancellationToken ct)
    {
        var orderId = OrderCommandMapping.OrderId(id);
        // Another tenant's order is simply not found in this tenant: its existence is not disclosed.
        await using var session = store.QuerySession(http.User.TenantId());
        var order = await session.Events.AggregateStreamAsync<OrderStream>(OrderStreams.For(orderId), token: ct);
        if (order?.State.Facts is not { } facts)
            return Problems.Result(StatusCodes.Status404NotFound, ProblemCodes.OrderNotFound, "Order not found");
        http.Response.Headers.ETag = ETags.Of(order.Version);
        return TypedResults.Ok(OrderView.From(facts, order, await PersonalDataView.ForCallerAsync(http, order.Personal, ct)));
    }

    [WolverinePost("/api/orders/{id}/payment-requests", OperationId = "requestOrderPayment"), EndpointSummary("Request payment of an order")]
    [Authorize(Policy = LedgerPolicies.WriteOrders), AcceptsJson(typeof(EmptyRequest), IsOptional = true)]
    public static async Task<Ok<OrderWritten>> RequestPayment(string id, HttpContext http, IMessageBus bus, TimeProvider clock, CancellationToken ct)
    {
        var (orderId, expected) = Target(id, http);
        await JsonBody.ReadOptionalAsync(http.Request, EmptyRequest.Instance, ct);
        var context = HttpCommandContext.From(http, clock);
        return TypedResults.Ok((await Send(http, bus, new DecideOrder(new RequestPayment(orderId, context.Now, context.Actor), context, expected), ct)).Body);
    }

    [WolverinePost("/api/orders/{id}/payments", OperationId = "payOrder"), EndpointSummary("Record an order's payment")]
    [Authorize(Policy = LedgerPolicies.WriteOrders), AcceptsJson(typeof(PayOrderRequest))]
    public static async Task<Ok<OrderWritten>> Pay(string id, HttpContext http, IMessageBus bus, TimeProvider clock, CancellationToken ct)
    {
        var (orderId, expected) = Target(id, http);
        var body = await JsonBody.ReadAsync<PayOrderRequest>(http.Request, ct);
        var context = HttpCommandContext.From(http, clock);
        return TypedResults.Ok((await Send(http, bus, new DecideOrder(OrderCommandMapping.Pay(orderId, body, context), context, expected), ct)).Body);
    }

    [WolverinePost("/api/orders/{id}/payment-failures", OperationId = "failOrderPayment"), EndpointSummary("Record a failed payment")]
    [Authorize(Policy = LedgerPolicies.WriteOrders), AcceptsJson(typeof(ReasonRequest))]
    public static async Task<Ok<OrderWritten>> FailPayment(string id, HttpContext http, IMessageBus bus, TimeProvider clock, CancellationToken ct)
    {
        var (orderId, expected) = Target(id, http);
        var reason = OrderCommandMapping.Reason(await JsonBody.ReadAsync<ReasonRequest>(http.Request, ct));
        var context = HttpCommandContext.From(http, clock);
        return TypedResults.Ok((await Send(http, bus, new DecideOrder(new FailPayment(orderId, reason, context.Now, context.Actor), context, expected), ct)).Body);
    }

    [WolverinePost("/api/orders/{id}/fulfilment", OperationId = "fulfilOrder"), EndpointSummary("Fulfil a paid order")]
    [Authorize(Policy = LedgerPolicies.WriteOrders), AcceptsJson(typeof(EmptyRequest), IsOptional = true)]
    public static async Task<Ok<OrderWritten>> Fulfil(string id, HttpContext http, IMessageBus bus, TimeProvider clock, CancellationToken ct)
    {
        var (orderId, expected) = Target(id, http);
        await JsonBody.ReadOptionalAsync(http.Request, EmptyRequest.Instance, ct);
        var context = HttpCommandContext.From(http, clock);
        return TypedResults.Ok((await Send(http, bus, new DecideOrder(new FulfilOrder(orderId, context.Now, context.Actor), context, expected), ct)).Body);
    }

    [WolverinePost("/api/orders/{id}/cancellation", OperationId = "cancelOrder"), EndpointSummary("Cancel an order")]
    [Authorize(Policy = LedgerPolicies.WriteOrders), AcceptsJson(typeof(ReasonRequest))]
    public static async Task<Ok<OrderWritten>> Cancel(string id, HttpContext http, IMessageBus bus, TimeProvider clock, CancellationToken ct)
    {
        var (orderId, expected) = Target(id, http);
        var reason = OrderCommandMapping.Reason(await JsonBody.ReadAsync<ReasonRequest>(http.Request, ct));
        var context = HttpCommandContext.From(http, clock);
        return TypedResults.Ok((await Send(http, bus, new DecideOrder(new CancelOrder(orderId, reason, context.Now, context.Actor), context, expected), ct)).Body);
    }

    private static (Guid OrderId, long? Expected) Target(string id, HttpContext http) =>
        (OrderCommandMapping.OrderId(id), ETags.ExpectedVersion(http.Request));

    /// <summary>Runs the command (<see cref="WriteCommands"/>) and answers its version (ETag) and position.</summary>
    private static async Task<(OrderWritten Body, bool Appended)> Send(HttpContext http, IMessageBus bus, DecideOrder message, CancellationToken ct)
    {
        var decision = await WriteCommands.InvokeAsync<OrderDecision>(http, bus, message, message.StreamId, message.ExpectedVersion,
            d => d.EventsAppended > 0, ct);
        http.Response.Headers.ETag = ETags.Of(decision.Version);
        if (decision.Position is { } position) http.Response.Headers["X-Ledger-Position"] = position.ToString();
        return (OrderWritten.From(message.Command.OrderId, decision), decision.EventsAppended > 0);
    }
}
