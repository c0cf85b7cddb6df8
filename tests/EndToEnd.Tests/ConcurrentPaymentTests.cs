using System.Net;
using Ledger.Application.Orders;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests;

public sealed class ConcurrentPaymentTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Fifty_concurrent_payments_of_one_order_record_exactly_one_payment(bool withIfMatch)
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = new OrderApi(app.Client(), app.Tokens.For(tenant, LedgerRoles.Clerk), tenant, app.Db.Store);
        var orderId = await clerk.CreateAsync();
        (await clerk.PostAsync($"/api/orders/{orderId}/payment-requests")).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var start = new SemaphoreSlim(0);
        var payments = Enumerable.Range(0, 50).Select(async i =>
        {
            await start.WaitAsync();
            // Half replay one provider reference, half bring their own: both kinds must settle to a single payment.
            var reference = i % 2 == 0 ? "psp-same" : $"psp-{i}";
            using var response = await clerk.PostAsync($"/api/orders/{orderId}/payments",
                $$"""{"amount":"25.00","payment_reference":"{{reference}}"}""", ifMatch: withIfMatch ? "\"2\"" : null);
            return response.StatusCode;
        }).ToList();
        start.Release(payments.Count);
        var statuses = await Task.WhenAll(payments);

        statuses.ShouldAllBe(s => s == HttpStatusCode.OK || s == HttpStatusCode.Conflict || s == HttpStatusCode.UnprocessableEntity);
        statuses.ShouldContain(HttpStatusCode.OK);
        var events = await clerk.EventsAsync(orderId);
        events.Count(e => e.EventType == OrderEventCodec.Paid).ShouldBe(1);
        events.Count.ShouldBe(3);
    }
}
