using System.Text.Json;
using Ledger.EventStore.Migrations;
using Marten;
using Npgsql;
using JasperFx;

namespace Ledger.EventStore.MartenStore;

/// <summary>
/// Creates and upgrades the event store's schema with the owner's connection: Marten's own objects first (Weasel, as
/// <c>db-apply</c> does), then Wolverine's envelope storage (<see cref="WolverineEnvelopeStorage"/>), then Ledger's migrations: the chain, views, append-only triggers and the application role's
/// rights (<see cref="MigrationSet.LedgerChain"/>) and every module's, ordered and checksummed. The application connects with a role that can
/// change none of it.
/// </summary>
public static class MartenLedgerSchema
{
    public static Task ApplyAsync(string adminConnectionString, string schema, string appRole, EventShapes shapes,
        JsonSerializerOptions json, IReadOnlyList<MigrationSet> modules, CancellationToken ct = default) =>
        ApplyAsync(NpgsqlDataSource.Create(adminConnectionString), schema, appRole, shapes, json, modules, ct, ownsAdmin: true);

    public static async Task ApplyAsync(NpgsqlDataSource admin, string schema, string appRole, EventShapes shapes,
        JsonSerializerOptions json, IReadOnlyList<MigrationSet> modules, CancellationToken ct = default, bool ownsAdmin = false)
    {
        ArgumentNullException.ThrowIfNull(admin);
        await using (var store = DocumentStore.For(options =>
        {
            options.Connection(admin);
            LedgerMarten.Configure(options, schema, shapes, json);
            // The document IntegrateWithWolverine maps on the Host's store (Wolverine's outbox operations name it), as
            // Wolverine maps it, so the schema is what the Host's configuration describes and `ledger db-assert` agrees.
            options.Schema.For<Wolverine.Envelope>().SingleTenanted().DoNotPartition();
            options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        }))
        {
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        }
        try
        {
            // Before the migrations: their grants (grants.sql) give the application role its rights on these tables.
            await WolverineEnvelopeStorage.ApplyAsync(admin, schema, ct);
            await Migrations.Migrator.MigrateAsync(admin, schema, appRole, modules, ct);
        }
        finally
        {
            if (ownsAdmin) await admin.DisposeAsync();
        }
    }
}
