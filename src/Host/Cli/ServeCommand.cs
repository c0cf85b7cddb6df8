using System.CommandLine;

namespace Ledger.Host.Cli;

/// <summary>
/// <c>ledger serve [host settings]</c> (alias <c>run</c>, JasperFx's name): runs the web app, as <c>ledger</c> without a
/// command does. Everything after the command is the host's configuration (<c>--urls …</c>, <c>--environment …</c>).
/// </summary>
internal static class ServeCommand
{
    public static Command Create(string[] args)
    {
        var command = new Command("serve", "Run the web app (the default without a command); host settings such as --urls follow.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.Aliases.Add("run");
        command.SetAction((_, _) => LedgerWebHost.RunAsync(args[1..]));
        return command;
    }
}
