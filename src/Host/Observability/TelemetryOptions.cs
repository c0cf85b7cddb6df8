namespace Ledger.Host.Observability;

/// <summary><c>Ledger:Telemetry</c>: where traces and metrics go over OTLP, and who may read <c>/metrics</c>.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Ledger:Telemetry";

    /// <summary>
    /// The OTLP collector (<c>http://otel-collector:4317</c>). When neither this nor the standard
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, nothing is exported over OTLP (<c>/metrics</c> still answers).
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> or <c>http/protobuf</c>; unset: <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, else gRPC.</summary>
    public string? OtlpProtocol { get; set; }

    /// <summary>The <c>service.name</c> of every span and metric; <c>OTEL_SERVICE_NAME</c> wins when set.</summary>
    public string ServiceName { get; set; } = "ledger";

    /// <summary>
    /// Networks (CIDR) or addresses whose scrapers read <c>/metrics</c> without a token. Loopback always may; anyone
    /// else needs a bearer token with the <c>operator</c> role.
    /// </summary>
    public string[] MetricsAnonymousNetworks { get; set; } = [];

    /// <summary>Most label sets kept per instrument; further ones are folded into one overflow series.</summary>
    public int MaxSeriesPerInstrument { get; set; } = 2000;
}
