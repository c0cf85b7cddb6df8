using Ledger.EndToEnd.Tests.Auditing;

namespace Ledger.EndToEnd.Tests.Privacy;

/// <summary>An auditor's Host (checkpoints, exports, the CLI) that issues invoices and writes its JSON log to a file the test reads.</summary>
public sealed class PrivacyAppFixture : AuditorAppFixture
{
    public string LogFile => Path.Combine(DataDirectory, "host-log.json");

    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        .. base.Settings(),
        new("Ledger:Invoicing:DevelopmentIssuerProfile", "true"),
        new("Serilog:Using:0", "Serilog.Sinks.File"),
        new("Serilog:WriteTo:0:Name", "File"),
        new("Serilog:WriteTo:0:Args:path", LogFile),
        new("Serilog:WriteTo:0:Args:formatter", "Serilog.Formatting.Compact.RenderedCompactJsonFormatter, Serilog.Formatting.Compact"),
        new("Serilog:MinimumLevel:Default", "Debug"),
    ];
}
