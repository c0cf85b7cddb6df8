using Ledger.Projections.Model;

namespace Ledger.Projections.Invoicing;

/// <summary>The accountants' fiscal read models, for <see cref="LedgerProjections.All"/> to include.</summary>
public static class InvoicingProjections
{
    public static IReadOnlyList<IReadModel> All { get; } = [new InvoiceRegisterProjection(), new TaxSummaryProjection()];
}
