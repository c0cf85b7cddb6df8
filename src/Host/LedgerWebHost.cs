namespace Ledger.Host;

/// <summary>
/// Runs the web app until it is stopped: <c>ledger</c> without a command, <c>ledger serve</c> (alias <c>run</c>).
/// Ledger runs it itself rather than through JasperFx's <c>run</c> command, which would catch a start-up failure and print
/// it on standard output: here a host that cannot start logs one Fatal line and the error goes on to the caller.
/// </summary>
public static class LedgerWebHost
{
    public static async Task<int> RunAsync(string[] hostArgs)
    {
        await using var app = LedgerWebApp.Build(hostArgs);
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
