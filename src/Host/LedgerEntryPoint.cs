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
        await app.RunAsync();
        return 0;
    }
}
