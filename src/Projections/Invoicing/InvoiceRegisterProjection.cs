using System.Text.Json;
using Ledger.Application.Invoicing.Events;
using Ledger.Application.Json;
using Ledger.Domain.Invoicing;
using Ledger.Domain.Invoicing.Register;
using Ledger.EventStore;
using Ledger.Projections.Model;

namespace Ledger.Projections.Invoicing;

/// <summary>
/// The register of issued invoices (<c>invoice_register</c>, migration 0150): a row per invoice and credit note, made
/// from <see cref="RegisterRow"/> — the same computation the tax summary uses — plus the stamp status and whether
/// the invoice was credited in full.
/// </summary>
public sealed class InvoiceRegisterProjection : IReadModel
{
    public const string ProjectionName = "invoice_register";

    private const string Facts = """
        INSERT INTO invoice_register_{g} AS r (tenant_id, document_id, kind, series, number, sequence, issue_date, period, customer_id,
            customer_tax_id, currency, functional_currency, exchange_rate, base, tax, total, functional_base, functional_tax,
            functional_total, tax_breakdown, corrected_invoice_id, stamp_status, stamp_version)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20::jsonb, $21, $22, $23)
        ON CONFLICT (tenant_id, document_id) DO UPDATE SET kind = excluded.kind, series = excluded.series, number = excluded.number,
            sequence = excluded.sequence, issue_date = excluded.issue_date, period = excluded.period, customer_id = excluded.customer_id,
            customer_tax_id = excluded.customer_tax_id, currency = excluded.currency, functional_currency = excluded.functional_currency,
            exchange_rate = excluded.exchange_rate, base = excluded.base, tax = excluded.tax, total = excluded.total,
            functional_base = excluded.functional_base, functional_tax = excluded.functional_tax, functional_total = excluded.functional_total,
            tax_breakdown = excluded.tax_breakdown, corrected_invoice_id = excluded.corrected_invoice_id,
            stamp_status = CASE WHEN r.stamp_version < excluded.stamp_version THEN excluded.stamp_status ELSE r.stamp_status END,
            stamp_version = greatest(r.stamp_version, excluded.stamp_version)
        """;

    private const string Stamp = """
        INSERT INTO invoice_register_{g} AS r (tenant_id, document_id, stamp_status, stamp_version) VALUES ($1, $2, $3, $4)
        ON CONFLICT (tenant_id, document_id) DO UPDATE SET stamp_status = excluded.stamp_status, stamp_version = excluded.stamp_version
         WHERE r.stamp_version < excluded.stamp_version
        """;

    private const string Credited = """
        INSERT INTO invoice_register_{g} AS r (tenant_id, document_id, fully_credited) VALUES ($1, $2, $3)
        ON CONFLICT (tenant_id, document_id) DO UPDATE SET fully_credited = r.fully_credited OR excluded.fully_credited
        """;

    public string Name => ProjectionName;

    public IReadOnlyList<string> Tables { get; } = ["invoice_register"];

    public IReadOnlyCollection<string> EventTypes { get; } = [.. InvoiceEventCodec.EventTypes, CreditNoteEventCodec.Issued];

    public ProjectionStatement? Apply(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var t = recorded.TenantId;
        if (recorded.EventType == CreditNoteEventCodec.Issued)
            return Row(t, RegisterRow.For(CreditNoteEventCodec.Decode(recorded)), null, recorded.StreamVersion);
        if (!InvoiceEventCodec.EventTypes.Contains(recorded.EventType)) return null;
        return InvoiceEventCodec.Decode(recorded) switch
        {
            InvoiceIssued i => Row(t, RegisterRow.For(i), "issued", recorded.StreamVersion),
            InvoiceStamped s => new(Stamp, t, s.InvoiceId, "stamped", recorded.StreamVersion),
            InvoiceContingencyStamped c => new(Stamp, t, c.InvoiceId, "contingency", recorded.StreamVersion),
            InvoiceStampRejected r => new(Stamp, t, r.InvoiceId, "rejected", recorded.StreamVersion),
            InvoiceCredited c => new(Credited, t, c.InvoiceId, c.Completes),
            var other => throw new ArgumentOutOfRangeException(nameof(recorded), $"{other.GetType().Name} has no statement in {ProjectionName}."),
        };
    }

    private static ProjectionStatement Row(string tenantId, RegisterRow row, string? stampStatus, long version) => new(Facts,
        tenantId, row.DocumentId, row.Kind, row.Series, row.Number, row.Sequence, row.IssueDate, row.Period,
        row.CustomerId, row.CustomerTaxId, row.Currency, row.FunctionalCurrency, row.ExchangeRate, row.Totals.Base, row.Totals.Tax,
        row.Totals.Total, row.Totals.FunctionalBase, row.Totals.FunctionalTax, row.Totals.FunctionalTotal,
        JsonSerializer.Serialize(row.ByRate.Select(r => new { r.Rate, r.Exempt, r.Base, r.Tax, r.FunctionalBase, r.FunctionalTax }), LedgerJson.Options),
        row.CorrectedInvoiceId, stampStatus, stampStatus is null ? 0L : version);
}
