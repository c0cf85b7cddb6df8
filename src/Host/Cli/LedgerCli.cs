using System.CommandLine;

namespace Ledger.Host.Cli;

/// <summary>
/// The operator's <c>ledger</c> commands. Each prints its result to standard output and nothing else there,
/// so output can be piped (<c>TOKEN=$(ledger token …)</c>); diagnostics go to standard error.
/// </summary>
public static class LedgerCli
{
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var root = new RootCommand("Ledger: event-sourced sales and fiscal records. Without a command, runs the web app.")
        {
            TokenCommand.Create(),
            MigrateCommand.Create(),
            VerifyCommand.Create(),
            ExportCommand.Create(),
            CheckpointsCommand.Create(),
            VerifyExportCommand.Create(),
            DlqCommand.Create(),
            OutboxCommand.Create(),
            ProjectionsCommand.Create(),
            InvoicingCommand.Create(),
        };
        var invocation = new InvocationConfiguration { Output = output ?? Console.Out, Error = error ?? Console.Error };
        return await root.Parse(args).InvokeAsync(invocation);
    }
}
