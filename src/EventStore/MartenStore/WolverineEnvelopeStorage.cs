using JasperFx;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Wolverine;
using Wolverine.Marten;
using Wolverine.Persistence.Durability;

namespace Ledger.EventStore.MartenStore;

/// <summary>
/// Wolverine's durable envelope storage (inbox, outbox, dead letters, and the node, assignment, control-queue and
/// record tables its leader and durability agents use) in Ledger's own schema, beside Marten's tables. The Host's
/// Wolverine runs on the application's role with <c>AutoBuildMessageStorageOnStartup = None</c> and only checks
/// that these tables exist, so the owner creates them here, before the grants (grants.sql) give the role its rights.
/// </summary>
public static class WolverineEnvelopeStorage
{
    /// <summary>
    /// Creates or upgrades the tables exactly as the Host's Wolverine describes them: Wolverine's own message store
    /// (its table definitions are internal) is built the way the Host builds it, through Marten's
    /// <c>IntegrateWithWolverine</c> for one database in <paramref name="schema"/>, on the owner's connection, and
    /// asked to migrate; the host it is built in never starts. Wolverine's durability settings are its defaults, as the
    /// Host's are; a Host setting that adds tables (sagas, dynamic listeners) must be made here too, or the Host's
    /// start-up check names what is missing.
    /// </summary>
    public static async Task ApplyAsync(NpgsqlDataSource admin, string schema, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(admin);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddMarten(options =>
            {
                options.Connection(admin);
                options.DatabaseSchemaName = schema;
                options.Events.DatabaseSchemaName = schema;
                options.AutoCreateSchemaObjects = AutoCreate.None;
            })
            .IntegrateWithWolverine(wolverine => wolverine.AutoCreate = AutoCreate.CreateOrUpdate);
        builder.UseWolverine(options =>
        {
            options.ApplicationAssembly = typeof(WolverineEnvelopeStorage).Assembly;
            options.Discovery.DisableConventionalDiscovery();
        });
        using var host = builder.Build();
        ct.ThrowIfCancellationRequested();
        await host.Services.GetRequiredService<IMessageStore>().Admin.MigrateAsync();
    }
}
