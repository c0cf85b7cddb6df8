using Ledger.Host.Cli;

namespace Ledger.Host;

/// <summary>Chooses between the web app and the operator CLI from the first argument.</summary>
public static class LedgerEntryPoint
{
    private static readonly HashSet<string> CliWords =
        new(StringComparer.Ordinal) { "token", "migrate", "verify", "export", "checkpoints", "verify-export", "dlq", "outbox", "projections", "invoicing", "--help", "-h", "-?", "--version" };

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
        }
        catch (Exception e) when (LogStopped(app, e))
        {
            // Never reached: the filter only logs. The error goes on to the caller, who owns the exit code (and
            // WebApplicationFactory, which runs this entry point in tests, must see the host's own start-up error).
        }
        return 0;
    }

    /// <summary>
    /// One line that says why Ledger stopped, before the exception's dump. Most often at start: Wolverine registers
    /// this node in the database before the host serves, so a host whose database is unreachable stops here, and its
    /// orchestrator (compose, systemd) starts it again.
    /// </summary>
    private static bool LogStopped(WebApplication app, Exception e)
    {
        if (e is not (OperationCanceledException or HostAbortedException)) app.Logger.LogCritical("Ledger stopped: {Reason}", e.GetBaseException().Message);
        return false;
    }
}
