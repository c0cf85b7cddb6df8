using Ledger.Projections.Daemon;
using Ledger.Projections.Orders;
using Ledger.Projections.Receivables;
using Ledger.Projections.SalesJournal;

namespace Ledger.Projections;

/// <summary>Every read model the daemon keeps, by name.</summary>
public static class LedgerProjections
{
    public static IReadOnlyList<IProjection> All { get; } =
        [new OrdersProjection(), new ReceivablesProjection(), new SalesJournalProjection()];

    public static IProjection? Find(string name) => All.FirstOrDefault(p => p.Name == name);
}
