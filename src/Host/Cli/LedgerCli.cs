using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Ledger.Host.Cli;

/// <summary>
/// The <c>ledger</c> command line: Ledger's own commands and JasperFx's (<see cref="JasperFxCommands"/>), one tree with
/// one <c>--help</c>. Ledger's commands are System.CommandLine commands, not JasperFx ones, because their contract is
/// pinned by scripts and tests and JasperFx's executor cannot keep it: a JasperFx command answers true or false (exit 0
/// or 1; <c>projections status</c> exits 3 when a projection stopped, usage errors exit 2), it writes usage errors and
/// exceptions through Spectre.Console to standard output (here results go to standard output and nothing else, so it can
/// be piped: <c>TOKEN=$(ledger token …)</c>; diagnostics go to standard error), and it has no nested verbs
/// (<c>projections rebuild</c>, <c>dlq replay</c>, <c>invoicing issuer set</c>).
/// Where a name is both Ledger's and JasperFx's, Ledger's wins (docs/wolverine.md, "One CLI"): <c>projections</c> (Marten's
/// would rebuild the live tables in place; Ledger's rebuilds blue/green), <c>db-apply</c> (an alias of <c>migrate</c>:
/// JasperFx's would apply only Marten's objects, with the Host's application role, which may not change the schema),
/// <c>run</c> (an alias of <c>serve</c>) and <c>help</c>.
/// </summary>
public static class LedgerCli
{
    private static readonly string[] RootOptions = ["--help", "-h", "-?", "/h", "/?", "--version"];

    /// <summary>Whether an argument is one of the command line's own options rather than host configuration.</summary>
    public static bool IsRootOption(string arg) => RootOptions.Contains(arg, StringComparer.Ordinal);

    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var invocation = new InvocationConfiguration { Output = output ?? Console.Out, Error = error ?? Console.Error };
        return await Create(args).Parse(args).InvokeAsync(invocation);
    }

    /// <summary>The command tree; <paramref name="args"/> are what JasperFx's commands hand on to JasperFx.</summary>
    public static RootCommand Create(string[] args, bool withJasperFx = true)
    {
        var root = new RootCommand("Ledger: event-sourced sales and fiscal records. Without a command, runs the web app.")
        {
            ServeCommand.Create(args),
            TokenCommand.Create(),
            MigrateCommand.Create(),
            VerifyCommand.Create(),
            ExportCommand.Create(),
            CheckpointsCommand.Create(),
            KeysCommand.Create(),
            VerifyExportCommand.Create(),
            VerifyProofCommand.Create(),
            DlqCommand.Create(),
            OutboxCommand.Create(),
            ProjectionsCommand.Create(),
            InvoicingCommand.Create(),
        };
        foreach (var privacy in PrivacyCommand.Create()) root.Subcommands.Add(privacy);
        if (!OperatingSystem.IsWindows())
            foreach (var backup in BackupCommand.Create()) root.Subcommands.Add(backup);
        root.Subcommands.Add(HelpCommand(root));
        if (withJasperFx)
        {
            var taken = root.Subcommands.SelectMany(c => c.Aliases.Prepend(c.Name)).ToHashSet(StringComparer.Ordinal);
            foreach (var (name, description, type) in JasperFxCommands.Discover().Where(c => !taken.Contains(c.Name)))
                root.Subcommands.Add(JasperFxCommands.Create(name, description, type, args));
        }

        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new CommandHelp((HelpAction)help.Action!);
        return root;
    }

    /// <summary><c>ledger help [command …]</c>: the same as <c>ledger [command …] --help</c>.</summary>
    private static Command HelpCommand(RootCommand root)
    {
        var names = new Argument<string[]>("command") { Description = "The command (and sub-command) to describe.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("help", "Describe the commands, or one command's arguments and options.") { names };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(names) ?? [];
            var target = root.Parse([.. path, "--help"]);
            if (target.UnmatchedTokens.Count > 0 && target.CommandResult.Command is not JasperFxCommand)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"help: there is no command '{string.Join(' ', path)}'; ledger --help lists them.");
                return 1;
            }
            return await target.InvokeAsync(parse.InvocationConfiguration, ct);
        });
        return command;
    }

    /// <summary>System.CommandLine's help for Ledger's commands; JasperFx's usage (its flags) for JasperFx's.</summary>
    private sealed class CommandHelp(HelpAction standard) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult) =>
            parseResult.CommandResult.Command is JasperFxCommand jasperFx ? JasperFxCommands.WriteUsage(jasperFx) : standard.Invoke(parseResult);
    }
}
