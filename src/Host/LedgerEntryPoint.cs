using Ledger.Host.Cli;

namespace Ledger.Host;

/// <summary>
/// The one entry point: without a command (or with only host settings such as <c>--urls</c>) it runs the web app;
/// with a command it runs the <c>ledger</c> command line (<see cref="LedgerCli"/>): Ledger's own commands and the
/// JasperFx commands Marten and Wolverine bring (db-assert, codegen, storage, resources, describe …).
/// </summary>
public static class LedgerEntryPoint
{
    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        // Host configuration only (`--environment=…`, `--urls …`, which is also how WebApplicationFactory passes its
        // settings in): the web app, as JasperFx's command line does when no command is named.
        if (args.Length == 0 || (args[0].StartsWith('-') && !LedgerCli.IsRootOption(args[0])))
            return await LedgerWebHost.RunAsync(args);
        return await LedgerCli.RunAsync(args);
    }
}
