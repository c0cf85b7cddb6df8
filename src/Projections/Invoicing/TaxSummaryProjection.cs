using Ledger.Application.Invoicing.Events;
using Ledger.Domain.Invoicing;
using Ledger.Domain.Invoicing.Register;
using Ledger.EventStore;
using Ledger.Projections.Model;

namespace Ledger.Projections.Invoicing;

/// <summary>
/// The tax summary (<c>tax_summary</c>, migration 0151): <see cref="TaxSummary.Apply"/> as SQL. Each issued invoice or
/// credit note adds its register row's functional base and tax to its (period, rate) lines, once per document.
/// </summary>
public sealed class TaxSummaryProjection : IReadModel
{
    public const string ProjectionName = "tax_summary";

    private const string AddDocument = """
        WITH fresh AS (
            INSERT INTO tax_summary_documents_{g} (tenant_id, document_id) VALUES ($1, $2)
            ON CONFLICT (tenant_id, document_id) DO NOTHING
            RETURNING 1)
        INSERT INTO tax_summary_{g} AS s (tenant_id, period, functional_currency, rate, exempt, base, tax, documents)
        SELECT $1, $3, $4, r.rate, r.exempt, r.base, r.tax, 1
          FROM unnest($5::numeric[], $6::boolean[], $7::numeric[], $8::numeric[]) AS r(rate, exempt, base, tax)
         WHERE EXISTS (SELECT 1 FROM fresh)
        ON CONFLICT (tenant_id, period, functional_currency, rate, exempt)
        DO UPDATE SET base = s.base + excluded.base, tax = s.tax + excluded.tax, documents = s.documents + 1
        """;

    public string Name => ProjectionName;

    public IReadOnlyList<string> Tables { get; } = ["tax_summary_documents", "tax_summary"];

    public IReadOnlyCollection<string> EventTypes { get; } = [InvoiceEventCodec.Issued, CreditNoteEventCodec.Issued];

    public ProjectionStatement? Apply(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var row = recorded.EventType switch
        {
            InvoiceEventCodec.Issued => RegisterRow.For((InvoiceIssued)InvoiceEventCodec.Decode(recorded)),
            CreditNoteEventCodec.Issued => RegisterRow.For(CreditNoteEventCodec.Decode(recorded)),
            _ => null,
        };
        if (row is null) return null;
        return new(AddDocument, recorded.TenantId, row.DocumentId, row.Period, row.FunctionalCurrency,
            row.ByRate.Select(r => r.Rate).ToArray(), row.ByRate.Select(r => r.Exempt).ToArray(),
            row.ByRate.Select(r => r.FunctionalBase).ToArray(), row.ByRate.Select(r => r.FunctionalTax).ToArray());
    }
}
