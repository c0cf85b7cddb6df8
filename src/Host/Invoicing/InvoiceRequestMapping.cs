using System.Text.RegularExpressions;
using Ledger.Application;
using Ledger.Application.Invoicing;
using Ledger.Domain.Invoicing;
using Ledger.Host.Http;

namespace Ledger.Host.Invoicing;

/// <summary>
/// Turns request bodies into invoicing requests. The form is checked here (400, <c>validation.*</c>); tax ids by their
/// country's rules in the application (400, <c>tax_id.*</c>); whether the invoice can be issued is the domain's call (422).
/// </summary>
public static partial class InvoiceRequestMapping
{
    public static Guid Id(string id)
    {
        var v = new RequestValidation();
        var parsed = v.Uuid("id", id);
        v.ThrowIfInvalid();
        return parsed;
    }

    public static IssueInvoiceRequest Issue(IssueInvoiceBody body, CommandContext context)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(context);
        var v = new RequestValidation();
        var id = body.InvoiceId is null ? Guid.CreateVersion7(context.Now) : v.Uuid("invoice_id", body.InvoiceId);
        if (body.Series is not null && !InvoiceNumber.IsValidSeries(body.Series))
            v.Fail("series", RequestValidation.InvalidFormat, "must be upper-case letters, digits and dashes (at most 20)");
        if (!CurrencyCode().IsMatch(body.Currency)) v.Fail("currency", RequestValidation.InvalidFormat, "must be a three-letter ISO 4217 code such as EUR");
        decimal? rate = body.ExchangeRate is { } r ? v.Money("exchange_rate", r) : null;
        if (body.Lines.Count is 0 or > InvoicePricing.MaxLines)
            v.Fail("lines", RequestValidation.OutOfRange, $"must hold between 1 and {InvoicePricing.MaxLines} lines");
        var lines = body.Lines.Take(InvoicePricing.MaxLines).Select((line, i) => Line(v, $"lines[{i}]", line)).ToList();
        var customer = body.Customer;
        var customerId = customer?.CustomerId is { } cid ? v.Identifier("customer.customer_id", cid, 64) : null;
        if (customer?.Name is { } name) v.Text("customer.name", name, 200);
        if (customer?.Address is { } address) v.Text("customer.address", address, 500);
        if ((customer?.Name ?? customer?.Address) is not null && customerId is null)
            v.Fail("customer.customer_id", RequestValidation.Required, "is required when customer.name or customer.address is given: it names the data subject whose key encrypts them");
        var taxId = customer?.TaxId is { } t ? new TaxIdInput(v.Text("customer.tax_id.country", t.Country, 2), v.Text("customer.tax_id.value", t.Value, 40)) : null;
        v.ThrowIfInvalid();
        var personal = customer?.Name is null && customer?.Address is null ? null : new RecipientPersonalData(customer.Name, customer.Address);
        return new IssueInvoiceRequest(id, body.Series, null, customerId, taxId, personal, body.Currency, lines, rate);
    }

    public static IssueCreditNoteRequest CreditNote(Guid invoiceId, IssueCreditNoteBody body, CommandContext context)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(context);
        var v = new RequestValidation();
        var id = body.CreditNoteId is null ? Guid.CreateVersion7(context.Now) : v.Uuid("credit_note_id", body.CreditNoteId);
        if (body.Series is not null && !InvoiceNumber.IsValidSeries(body.Series))
            v.Fail("series", RequestValidation.InvalidFormat, "must be upper-case letters, digits and dashes (at most 20)");
        var reason = v.Text("reason", body.Reason, 500);
        if (body.Lines is { Count: > InvoicePricing.MaxLines }) v.Fail("lines", RequestValidation.OutOfRange, $"must hold at most {InvoicePricing.MaxLines} lines");
        var lines = body.Lines?.Take(InvoicePricing.MaxLines)
            .Select((l, i) => new CreditedLine(v.Range($"lines[{i}].line", l.Line, 1, InvoicePricing.MaxLines), v.Money($"lines[{i}].quantity", l.Quantity)))
            .ToList();
        v.ThrowIfInvalid();
        return new IssueCreditNoteRequest(id, invoiceId, body.Series, lines, reason);
    }

    private static InvoiceLine Line(RequestValidation v, string path, InvoiceLineBody line) => new(
        v.Text(path + ".description", line.Description, 200),
        v.Money(path + ".quantity", line.Quantity),
        v.Money(path + ".unit_price", line.UnitPrice),
        line.DiscountPercent is { } d ? v.Money(path + ".discount_percent", d) : 0m,
        v.Identifier(path + ".tax_category", line.TaxCategory, 64));

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyCode();
}
