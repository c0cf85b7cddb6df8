using System.CommandLine;
using Ledger.EventStore.Migrations;
using Ledger.Host.Configuration;

namespace Ledger.Host.Cli;

/// <summary><c>ledger migrate</c>: applies every module's migrations with the admin connection, then exits.</summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command("migrate", "Create or upgrade the Ledger schema, every module's tables (ConnectionStrings:LedgerAdmin).");
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
