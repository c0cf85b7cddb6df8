using Ledger.Application.Invoicing.Settings;
using Ledger.Application.Orders;
using Ledger.Domain;
using Ledger.Domain.Invoicing;
using Marten;

namespace Ledger.Application.Invoicing;

/// <summary>
/// The reaction to an order's payment (<c>commerce.order.paid</c>): issues the order's invoice. The invoice id is
/// derived from the order id, so seeing the payment twice — a redelivery, a replay — meets the invoice already
/// issued and changes nothing: one invoice per order. Order prices are net of tax; every line is taxed under the
/// issuer's default tax category; the invoice is simplified (no customer tax id: an order does not carry one).
/// </summary>
public sealed class PaidOrderInvoicing(InvoiceIssuer issuer, IssuerProfiles issuers)
{
    public const string NoDefaultTaxCategory = "invoicing.no_default_tax_category";
    public const string OrderNotPaid = "invoicing.order_not_paid";

    /// <param name="session">The command's session, of the context's tenant: the order is read and the invoice staged there.</param>
    /// <exception cref="DomainError">the order is not paid, or the issuer has no default tax category.</exception>
    public async Task<DocumentWritten> IssueForAsync(IDocumentSession session, ICommandJournal journal, CommandContext context, Guid orderId,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var order = await OrderDecisions.LoadAsync(session, orderId, ct).ConfigureAwait(false);
        if (order?.State.Payment is null || order.State.Facts is not { } facts)
            throw new DomainError(OrderNotPaid, $"Order {orderId} is not paid: it has no invoice to issue.");
        var profile = await issuers.ForAsync(context.TenantId, ct).ConfigureAwait(false);
        var category = profile.DefaultTaxCategory
            ?? throw new DomainError(NoDefaultTaxCategory, $"Tenant {context.TenantId} has no default tax category for invoices of orders.");

        var lines = facts.Lines.Select(l => new InvoiceLine(string.IsNullOrWhiteSpace(l.Description) ? l.Sku : l.Description,
            l.Quantity, l.UnitPrice, 0m, category)).ToList();
        var request = new IssueInvoiceRequest(InvoiceStreams.InvoiceIdForOrder(orderId), null, orderId, facts.CustomerId, null, null,
            facts.Currency, lines, null);
        return await issuer.IssueAsync(session, journal, context, request, ct).ConfigureAwait(false);
    }
}
