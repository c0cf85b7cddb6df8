using System.CommandLine;
using Ledger.EventStore.Migrations;
using Ledger.Host.Configuration;

namespace Ledger.Host.Cli;

/// <summary>
/// <c>ledger migrate</c> (alias <c>db-apply</c>): creates or upgrades the whole schema with the owner's connection
/// (<see cref="LedgerSchema"/>: Marten's objects, Wolverine's envelope storage, Ledger's migrations and the application
/// role's grants), then exits. It is also <c>db-apply</c> because JasperFx's db-apply would apply only Marten's objects,
/// and with the Host's connection, whose role may not change the schema.
/// </summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command("migrate", "Create or upgrade the Ledger schema: Marten's and Wolverine's tables, every module's migrations and the grants (ConnectionStrings:LedgerAdmin).");
        command.Aliases.Add("db-apply");
        command.SetAction(async (parse, ct) =>
        {
            var configuration = LedgerConfiguration.ForCli(LedgerConfiguration.CliEnvironmentName());
            var database = LedgerConfiguration.Database(configuration);
            await using var dataSources = LedgerDataSources.Create(configuration);
            if (database.EnsureAppRole && dataSources.AppPassword is { } password)
                await Migrator.EnsureLoginRoleAsync(dataSources.Admin, database.AppRole, password, ct);
            await LedgerSchema.ApplyAsync(dataSources, database, ct);
            await parse.InvocationConfiguration.Output.WriteLineAsync($"schema {database.Schema} is up to date");
            return 0;
        });
        return command;
    }
}
