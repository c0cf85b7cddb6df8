using Ledger.EventStore.Migrations;
using Microsoft.Extensions.Options;

namespace Ledger.Host.Configuration;

/// <summary>
/// Brings the schema up to date before anything else starts (the server included), so no request ever
/// meets an old schema. Several hosts may start at once: the migrator serializes them.
/// </summary>
internal sealed partial class MigrateOnStart(
    LedgerDataSources dataSources,
    IOptions<LedgerDatabaseOptions> options,
    ILogger<MigrateOnStart> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var database = options.Value;
        if (!database.MigrateOnStart) return;
        if (!dataSources.HasAdmin)
        {
            LogNoAdmin(logger);
            return;
        }
        if (database.EnsureAppRole && dataSources.AppPassword is { } password)
            await Migrator.EnsureLoginRoleAsync(dataSources.Admin, database.AppRole, password, cancellationToken);
        await LedgerSchema.ApplyAsync(dataSources, database, cancellationToken);
        LogMigrated(logger, database.Schema);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Schema {Schema} is up to date")]
    private static partial void LogMigrated(ILogger logger, string schema);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Migrations on start are on but ConnectionStrings:LedgerAdmin is not set; not migrating")]
    private static partial void LogNoAdmin(ILogger logger);
}
