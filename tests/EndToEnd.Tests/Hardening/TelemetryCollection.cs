namespace Ledger.EndToEnd.Tests.Hardening;

/// <summary>
/// Tests that read what the OpenTelemetry SDK collected run alone, after the parallel ones. The SDK tells instruments
/// apart by meter and instrument name, not by the DI container that made them, so in a process with several Hosts
/// (as here, never in production) one Host's ASP.NET Core instruments share a stream with every other Host's, and
/// when another Host stops, that shared stream is dropped from everyone's provider until the next instrument appears.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry read back from the OpenTelemetry SDK";
}
