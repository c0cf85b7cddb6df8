using System.CommandLine;
using Ledger.Host.Cli;

namespace Ledger.EndToEnd.Tests;

/// <summary>
/// Every command of Ledger's on the <c>ledger</c> command line answers <c>--help</c> (in process: the tree is the one the
/// executable parses). JasperFx's commands answer theirs through JasperFx (<see cref="CliTests"/>).
/// </summary>
public sealed class CliHelpTests
{
    [Fact]
    public async Task Every_Ledger_command_answers_help_naming_its_arguments_and_options()
    {
        var root = LedgerCli.Create([], withJasperFx: false);
        var commands = Walk(root, []).ToList();
        commands.Count.ShouldBeGreaterThan(30); // every command and sub-command, e.g. projections rebuild, invoicing issuer set
        foreach (var (path, command) in commands)
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            var exitCode = await root.Parse([.. path, "--help"]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
            var help = output.ToString();
            var name = "ledger " + string.Join(' ', path);
            exitCode.ShouldBe(0, $"{name} --help: {error}");
            help.ShouldContain(command.Description!, customMessage: name);
            foreach (var option in command.Options) help.ShouldContain(option.Name, customMessage: name);
            foreach (var argument in command.Arguments) help.ShouldContain($"<{argument.Name}>", customMessage: name);
            error.ToString().ShouldBeEmpty(name);
        }

        static IEnumerable<(string[] Path, Command Command)> Walk(Command parent, string[] path) =>
            parent.Subcommands.SelectMany(c => Walk(c, [.. path, c.Name]).Prepend(([.. path, c.Name], c)));
    }
}
