using Ledger.Application.Invoicing;
using Ledger.Application.Invoicing.Settings;
using Ledger.Application.Orders;
using Ledger.Domain;
using Ledger.Domain.Orders;
using Ledger.TestSupport;

namespace Ledger.Application.Tests.Invoicing;

/// <summary>The reaction to an order's payment: one invoice per order, however often the payment is seen.</summary>
public sealed class PaidOrderInvoicingTests : IAsyncLifetime
{
    private InvoicingTestBed bed = null!;
    private TestOrderCommands orders = null!;
    private PaidOrderInvoicing reaction = null!;
    private readonly Guid orderId = Guid.CreateVersion7();

    public async Task InitializeAsync()
    {
        bed = await InvoicingTestBed.CreateAsync();
        orders = new TestOrderCommands(bed.Db);
        reaction = new PaidOrderInvoicing(bed.NewInvoiceIssuer(), bed.Issuers);
        await bed.Issuers.SaveAsync(bed.Tenant, new IssuerProfileInput("Shop SL", "ES", "B12345674", "EUR", "Europe/Madrid", "T-2026", "R-2026",
            "es.vat.general", VeriFactu: false));
    }

    public async Task DisposeAsync() => await bed.DisposeAsync();

    private async Task PayOrder()
    {
        var now = DateTimeOffset.UtcNow;
        await orders.DecideAsync(bed.Context(), new CreateOrder(orderId, "cust-9", "EUR", [new OrderLine("SKU-1", "Paper", 2, 10.00m)], null, null, now, "clerk-1"), null);
        await orders.DecideAsync(bed.Context(), new RequestPayment(orderId, now, "clerk-1"), null);
        await orders.DecideAsync(bed.Context(), new Domain.Orders.PayOrder(orderId, 20.00m, "psp-1", now, "psp"), null);
    }

    private Task<DocumentWritten> IssueAsync(PaidOrderInvoicing invoicing) =>
        new TestPaidOrderInvoicing(bed.Db, invoicing).IssueForAsync(bed.Context(), orderId);

    [Fact]
    public async Task An_order_paid_seen_twice_gives_one_invoice()
    {
        await PayOrder();
        var first = await IssueAsync(reaction);
        var second = await IssueAsync(reaction);

        second.DocumentId.ShouldBe(first.DocumentId);
        second.Number.ShouldBe(first.Number);
        second.Result.EventsAppended.ShouldBe(0);
        first.DocumentId.ShouldBe(InvoiceStreams.InvoiceIdForOrder(orderId));
        var invoice = await bed.Invoice(first.DocumentId);
        (invoice.Facts.OrderId, invoice.Facts.Customer.CustomerId, invoice.Facts.Totals.Total).ShouldBe((orderId, "cust-9", 24.20m));
        (await bed.Stream(InvoiceStreams.InvoiceSeries("T-2026"))).Count.ShouldBe(1);
    }

    [Fact]
    public async Task An_order_paid_seen_twice_at_once_gives_one_invoice()
    {
        await PayOrder();
        var both = await Task.WhenAll(IssueAsync(reaction),
            IssueAsync(new PaidOrderInvoicing(bed.NewInvoiceIssuer(), bed.Issuers)));

        both.Select(w => w.Number).Distinct().ShouldHaveSingleItem();
        both.Sum(w => w.Result.EventsAppended).ShouldBe(1);
        (await bed.Stream(InvoiceStreams.InvoiceSeries("T-2026"))).Count.ShouldBe(1);
    }

    [Fact]
    public async Task An_order_that_is_not_paid_has_no_invoice() =>
        (await Should.ThrowAsync<DomainError>(() => IssueAsync(reaction))).Code.ShouldBe("invoicing.order_not_paid");
}
