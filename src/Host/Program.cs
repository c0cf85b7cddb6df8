using Ledger.Host;

// `ledger` with no arguments (or `ledger serve`) runs the web app; `ledger token|migrate|verify …` runs the CLI.
return await LedgerEntryPoint.RunAsync(args);

/// <summary>The entry point's type, public so tests can host the app with <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
