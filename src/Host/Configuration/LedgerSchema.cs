using Ledger.Application;
using Ledger.Application.Json;
using Ledger.EventStore.MartenStore;

namespace Ledger.Host.Configuration;

/// <summary>
/// Creates or upgrades everything in the Ledger schema with the owner's connection: Marten's tables first (as Marten's
/// db-apply does), then every module's migrations (<see cref="LedgerMigrationSets"/>). What migrate-on-start and
/// <c>ledger migrate</c> run.
/// </summary>
public static class LedgerSchema
{
    public static Task ApplyAsync(LedgerDataSources dataSources, LedgerDatabaseOptions database, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSources);
        ArgumentNullException.ThrowIfNull(database);
        return MartenLedgerSchema.ApplyAsync(dataSources.Admin, database.Schema, database.AppRole,
            LedgerEventShapes.Register(new EventShapes()), LedgerJson.Options, LedgerMigrationSets.All, ct);
    }
}
