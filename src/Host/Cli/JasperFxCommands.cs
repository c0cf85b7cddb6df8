using System.CommandLine;
using JasperFx;
using JasperFx.CommandLine;
using JasperFx.CommandLine.Commands;
using Spectre.Console;

namespace Ledger.Host.Cli;

/// <summary>
/// The JasperFx commands Marten and Wolverine bring (db-assert, db-patch, codegen, storage, resources, describe …),
/// each on <c>ledger</c>'s command line as JasperFx describes it and run by JasperFx itself, on the Host's built app
/// (<c>app.RunJasperFxCommands(args)</c>, as Marten's and Wolverine's docs do), so each behaves and answers exactly as
/// JasperFx documents it: its own flags, its output on the console, exit code 0 or 1.
/// </summary>
internal static class JasperFxCommands
{
    /// <summary>
    /// The assemblies whose JasperFx commands Ledger offers, named rather than found: JasperFx's own discovery
    /// (<c>RegisterCommandsFromExtensionAssemblies</c>) opens every DLL in the application's folder on each run of any
    /// command — slow for <c>ledger token</c>, and it fails outright where a DLL there references an assembly that is
    /// not (a test runner's folder: FsCheck's FSharp.Core). A package upgrade that moves commands shows in CliTests.
    /// </summary>
    private static readonly System.Reflection.Assembly[] CommandAssemblies =
    [
        typeof(RunCommand).Assembly, // JasperFx: run, codegen, describe, resources, check-env
        typeof(JasperFx.Events.IEvent).Assembly, // projections, event and stream queries
        typeof(Weasel.Core.Migrations.DatabaseBase<>).Assembly, // db-apply, db-assert, db-patch, db-dump, db-list
        typeof(Marten.DocumentStore).Assembly,
        typeof(Wolverine.WolverineOptions).Assembly, // storage, capabilities, describe-event-model …
    ];

    /// <summary>Every JasperFx command of <see cref="CommandAssemblies"/>, named and described as JasperFx does.</summary>
    public static IReadOnlyList<(string Name, string Description, Type Type)> Discover()
    {
        var factory = new CommandFactory();
        var console = AnsiConsole.Console;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) });
        try
        {
            foreach (var assembly in CommandAssemblies) factory.RegisterCommands(assembly);
        }
        finally
        {
            AnsiConsole.Console = console;
        }
        return [.. factory.AllCommandTypes()
            .Select(t => (CommandFactory.CommandNameFor(t), CommandFactory.DescriptionFor(t), t))
            .OrderBy(c => c.Item1, StringComparer.Ordinal)];
    }

    /// <summary>
    /// <c>ledger &lt;name&gt; …</c>: every token after the name is JasperFx's to parse, so the command takes them all
    /// unparsed. <c>--help</c> answers with JasperFx's usage of the command (<see cref="LedgerCli"/>).
    /// </summary>
    public static Command Create(string name, string description, Type type, string[] args)
    {
        var command = new JasperFxCommand(name, description + " (JasperFx)", type) { TreatUnmatchedTokensAsErrors = false };
        command.SetAction((_, _) => RunAsync(args));
        return command;
    }

    /// <summary>JasperFx's usage of a command (its arguments and flags), on standard output.</summary>
    public static int WriteUsage(JasperFxCommand command)
    {
        var factory = new CommandFactory();
        factory.SetAppName("ledger");
        factory.RegisterCommand(command.Type);
        factory.Build(command.Name).Usages.WriteUsages("ledger");
        return 0;
    }

    /// <summary>
    /// Builds the Host's app (not started) from the same arguments, so <c>--environment</c> and settings apply, and
    /// hands the command line to JasperFx; the commands that need the running host start it themselves.
    /// </summary>
    private static Task<int> RunAsync(string[] args) => LedgerWebApp.Build(args).RunJasperFxCommands(args);
}

/// <summary>A command of JasperFx's on <c>ledger</c>'s command line.</summary>
internal sealed class JasperFxCommand(string name, string description, Type type) : Command(name, description)
{
    public Type Type { get; } = type;
}
