using System.Text.Json;
using Ledger.EventStore.Migrations;
using Marten;
using Npgsql;
using JasperFx;

namespace Ledger.EventStore.MartenStore;

/// <summary>
/// Creates and upgrades the event store's schema with the owner's connection: Marten's own objects first (Weasel, as
/// <c>db-apply</c> does), then Ledger's chain, views, append-only triggers and the application role's rights
/// (<see cref="MigrationSet.LedgerChain"/>, ordered and checksummed). The application connects with a role that can
/// change none of it.
/// </summary>
public static class MartenLedgerSchema
{
    public static async Task ApplyAsync(string adminConnectionString, string schema, string appRole, EventShapes shapes,
        JsonSerializerOptions json, IReadOnlyList<MigrationSet> modules, CancellationToken ct = default)
    {
        await using (var store = DocumentStore.For(options =>
        {
            options.Connection(adminConnectionString);
            LedgerMarten.Configure(options, schema, shapes, json);
            options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        }))
        {
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        }
        await using var admin = NpgsqlDataSource.Create(adminConnectionString);
        await Migrations.Migrator.MigrateAsync(admin, schema, appRole, [MigrationSet.LedgerChain, .. modules], ct);
    }
}
