using Ledger.EventStore.Migrations;

namespace Ledger.Host.Configuration;

/// <summary>
/// Every module's migrations, in one list: what migrate-on-start and <c>ledger migrate</c> apply and what readiness
/// checks. A module with tables adds its set here (each owns a version range: see <see cref="MigrationSet"/>).
/// </summary>
public static class LedgerMigrationSets
{
    public static IReadOnlyList<MigrationSet> All { get; } =
    [
        MigrationSet.LedgerChain,
        MigrationSet.EventStore,
        Ledger.Projections.ProjectionMigrations.Set,
        Ledger.Messaging.MessagingMigrations.Set,
        Ledger.Application.Invoicing.InvoicingMigrations.Set,
        HostMigrations.Set,
    ];
}
