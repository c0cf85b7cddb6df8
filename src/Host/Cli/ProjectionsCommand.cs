using Ledger.EventStore.Connections;
using Ledger.EventStore.MartenStore;
using System.CommandLine;
using System.Globalization;
using Ledger.EventStore;
using Ledger.Host.Configuration;
using Ledger.Projections;
using Ledger.Projections.OnMarten;
using Ledger.Projections.Model;
using Npgsql;

namespace Ledger.Host.Cli;

/// <summary>
/// <c>ledger projections status|rebuild|skip</c>: the operator's view of the read models. Status and rebuild progress
/// read with the application role; creating, swapping and dropping generations and recording skips use the admin
/// connection (<c>ConnectionStrings:LedgerAdmin</c>).
/// </summary>
internal static class ProjectionsCommand
{
    public static Command Create()
    {
        var command = new Command("projections", "The projections that keep the read models: status, blue/green rebuilds, skipping or retrying a poison event.");
        command.Subcommands.Add(Status());
        command.Subcommands.Add(ProjectionsRebuildCommand.Create());
        command.Subcommands.Add(ProjectionsSkipCommand.Create());
        command.Subcommands.Add(ProjectionsRetryCommand.Create());
        return command;
    }

    /// <summary>Exit code 3 when a projection is stopped on a failing event, so scripts and probes can tell.</summary>
    private static Command Status()
    {
        var status = new Command("status", "Each projection's generation, state, position (Marten's progress), events and seconds behind.");
        status.SetAction(async (parse, ct) =>
        {
            await using var cli = ProjectionsCli.Open();
            var output = parse.InvocationConfiguration.Output;
            var rows = await ProjectionStatus.ReadAllAsync(cli.App, ct);
            await output.WriteLineAsync($"{"PROJECTION",-18} {"GEN",3} {"STATE",-10} {"POSITION",-18} {"BEHIND",8} {"SECONDS",9}  UPDATED");
            foreach (var row in rows)
            {
                var state = row.State.Split(' ')[0];
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{row.Name,-18} {row.Generation,3} {state,-10} {row.Position,-18} {row.EventsBehind,8} {row.SecondsBehind,9:F1}  {row.UpdatedAt:u}{(row.Live ? "" : "  (rebuild)")}"));
                if (row.State.Contains(' ', StringComparison.Ordinal)) await output.WriteLineAsync($"    {row.State}");
                if (row.FailingEventId is { } failing)
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"    stopped on event {failing} after {row.Attempts} attempt(s): {row.LastError}\n    skip it with: ledger projections skip {row.Name} --event {failing} --reason \"...\"" +
                        $"\n    or, once its cause is put right, try it again with: ledger projections retry {row.Name}"));
            }
            return rows.Any(r => r.State == "failed") ? 3 : 0;
        });
        return status;
    }
}

/// <summary>What the projection commands connect with, from the CLI's configuration.</summary>
internal sealed class ProjectionsCli : IAsyncDisposable
{
    private ProjectionsCli(NpgsqlDataSource app, NpgsqlDataSource? admin, string appRole)
    {
        App = app;
        AdminOrNull = admin;
        AppRole = appRole;
    }

    public NpgsqlDataSource App { get; }
    public NpgsqlDataSource? AdminOrNull { get; }
    public string AppRole { get; }
    /// <summary>Every event type's stored shape, as the Host registers them with Marten.</summary>
    public EventShapes Shapes { get; } = Ledger.Application.LedgerEventShapes.Register(new EventShapes());

    public NpgsqlDataSource Admin => AdminOrNull
        ?? throw new InvalidOperationException($"ConnectionStrings:{LedgerDataSources.AdminConnectionName} is not configured; this command needs the schema owner.");

    public ProjectionOptions Options { get; private init; } = new();

    public static ProjectionsCli Open()
    {
        var configuration = LedgerConfiguration.ForCli(LedgerConfiguration.CliEnvironmentName());
        var database = LedgerConfiguration.Database(configuration);
        string WithSchema(string connection) => new NpgsqlConnectionStringBuilder(connection) { SearchPath = database.Schema }.ConnectionString;
        var app = configuration.GetConnectionString(LedgerDataSources.AppConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{LedgerDataSources.AppConnectionName} is not configured.");
        var admin = configuration.GetConnectionString(LedgerDataSources.AdminConnectionName);
        var options = configuration.GetSection(ProjectionOptions.Section).Get<ProjectionOptions>() ?? new();
        return new ProjectionsCli(LedgerDataSource.Create(WithSchema(app), "ledger-cli"),
            admin is null ? null : NpgsqlDataSource.Create(WithSchema(admin)), database.AppRole) { Options = options };
    }

    /// <summary>The projection named on the command line, or null after telling the operator which names exist.</summary>
    public static IReadModel? Find(string name, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (LedgerProjections.Find(name) is { } projection) return projection;
        error.WriteLine($"No projection named '{name}'. Projections: {string.Join(", ", LedgerProjections.All.Select(p => p.Name))}.");
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        if (AdminOrNull is not null) await AdminOrNull.DisposeAsync();
    }
}
