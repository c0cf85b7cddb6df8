using Ledger.Projections.Daemon;

namespace Ledger.Projections.Invoicing;

/// <summary>The accountants' fiscal read models, for <see cref="LedgerProjections.All"/> to include.</summary>
public static class InvoicingProjections
{
    public static IReadOnlyList<IProjection> All { get; } = [new InvoiceRegisterProjection(), new TaxSummaryProjection()];
}
