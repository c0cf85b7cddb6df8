using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Ledger.Host.Observability;

/// <summary>
/// Whether and where traces and metrics go over OTLP: <c>Ledger:Telemetry:OtlpEndpoint</c> or the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>; with neither, nothing is exported and spans are not even recorded (the
/// sampler drops them), so tracing costs nothing until it is wanted. The exporters are created here rather than
/// with <c>AddOtlpExporter</c> because the decision needs the settings, which are read once the container is built.
/// </summary>
internal sealed partial class OtlpExport(IOptions<TelemetryOptions> options, IConfiguration configuration, ILogger<OtlpExport> logger)
{
    private readonly Lazy<OtlpExporterOptions?> _exporter = new(() => Exporter(options.Value, configuration, logger));

    public bool Enabled => _exporter.Value is not null;

    public Sampler Sampler => Enabled ? new ParentBasedSampler(new AlwaysOnSampler()) : new AlwaysOffSampler();

    public void AddTo(TracerProviderBuilder tracing)
    {
        if (Options("v1/traces") is { } otlp) tracing.AddProcessor(new BatchActivityExportProcessor(new OtlpTraceExporter(otlp)));
    }

    public void AddTo(MeterProviderBuilder metrics)
    {
        if (Options("v1/metrics") is { } otlp) metrics.AddReader(new PeriodicExportingMetricReader(new OtlpMetricExporter(otlp)));
    }

    public static bool IsKnownProtocol(string? name) => name?.Trim().ToLowerInvariant() is null or "" or "grpc" or "http/protobuf";

    /// <summary>The exporter's options for one signal: an endpoint set in Ledger's settings is used as given, so over HTTP it names the signal's path.</summary>
    private OtlpExporterOptions? Options(string signalPath)
    {
        if (_exporter.Value is not { } shared) return null;
        var otlp = new OtlpExporterOptions { Protocol = shared.Protocol };
        var configured = options.Value.OtlpEndpoint;
        if (!string.IsNullOrWhiteSpace(configured))
            otlp.Endpoint = shared.Protocol == OtlpExportProtocol.HttpProtobuf
                ? new Uri(configured.Trim().TrimEnd('/') + "/" + signalPath)
                : new Uri(configured.Trim());
        else if (shared.Protocol == OtlpExportProtocol.HttpProtobuf)
            otlp.Endpoint = new Uri(shared.Endpoint.ToString().TrimEnd('/') + "/" + signalPath); // as the SDK does for OTEL_EXPORTER_OTLP_ENDPOINT
        return otlp;
    }

    private static OtlpExporterOptions? Exporter(TelemetryOptions settings, IConfiguration configuration, ILogger logger)
    {
        var configured = string.IsNullOrWhiteSpace(settings.OtlpEndpoint) ? null : settings.OtlpEndpoint.Trim();
        var environment = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (configured is null && string.IsNullOrWhiteSpace(environment)) return null;
        // new OtlpExporterOptions() reads the OTEL_EXPORTER_OTLP_* environment variables (endpoint, headers, timeout).
        var otlp = new OtlpExporterOptions { Protocol = Protocol(settings.OtlpProtocol ?? configuration["OTEL_EXPORTER_OTLP_PROTOCOL"]) };
        if (!string.IsNullOrWhiteSpace(environment) && configured is null) otlp.Endpoint = new Uri(environment.Trim());
        LogExporting(logger, configured ?? environment!, otlp.Protocol.ToString());
        return otlp;
    }

    private static OtlpExportProtocol Protocol(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
        _ => OtlpExportProtocol.Grpc,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Exporting traces and metrics over OTLP to {Endpoint} ({Protocol})")]
    private static partial void LogExporting(ILogger logger, string endpoint, string protocol);
}
