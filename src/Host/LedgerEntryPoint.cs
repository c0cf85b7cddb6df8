using Ledger.Host.Cli;

namespace Ledger.Host;

/// <summary>Chooses between the web app and the operator CLI from the first argument.</summary>
public static class LedgerEntryPoint
{
    private static readonly HashSet<string> CliWords =
        new(StringComparer.Ordinal) { "token", "migrate", "verify", "export", "checkpoints", "verify-export", "dlq", "relay", "projections", "invoicing", "--help", "-h", "-?", "--version" };

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && CliWords.Contains(args[0]))
            return await LedgerCli.RunAsync(args);

        // Anything else is host configuration (`--environment=…`, `--urls …`), which is also how
        // WebApplicationFactory passes its settings in.
        var webArgs = args.Length > 0 && args[0] == "serve" ? args[1..] : args;
        await using var app = LedgerWebApp.Build(webArgs);
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Most often at start: Wolverine registers this node in the database before the host serves, so a host
            // whose database is unreachable stops here, and its orchestrator (compose, systemd) starts it again.
            // One line that says why instead of an unhandled exception's dump; the full error is logged above it.
            app.Logger.LogCritical("Ledger stopped: {Reason}", e.GetBaseException().Message);
            return 1;
        }
    }
}
