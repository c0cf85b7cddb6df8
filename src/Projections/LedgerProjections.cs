using Ledger.Projections.Model;
using Ledger.Projections.Invoicing;
using Ledger.Projections.Orders;
using Ledger.Projections.Receivables;
using Ledger.Projections.SalesJournal;

namespace Ledger.Projections;

/// <summary>Every read model the daemon keeps, by name.</summary>
public static class LedgerProjections
{
    /// <summary>The order read models: orders, receivables, sales journal.</summary>
    public static IReadOnlyList<IReadModel> Orders { get; } =
        [new OrdersProjection(), new ReceivablesProjection(), new SalesJournalProjection()];

    public static IReadOnlyList<IReadModel> All { get; } = [.. Orders, .. InvoicingProjections.All];

    public static IReadModel? Find(string name) => All.FirstOrDefault(p => p.Name == name);
}
