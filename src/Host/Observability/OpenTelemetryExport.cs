using System.Reflection;
using Ledger.EventStore.Telemetry;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ledger.Host.Observability;

/// <summary>
/// Exports traces (ASP.NET Core's and Npgsql's activities and Ledger's own spans) and metrics (the meters
/// <see cref="PrometheusCollector"/> reads) over OTLP, when an endpoint is configured: <c>Ledger:Telemetry:OtlpEndpoint</c>
/// or the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>. The providers are built without OpenTelemetry.Extensions.Hosting
/// (not available to us), so this hosted service owns them: started with the Host, flushed and disposed when it stops.
/// </summary>
internal sealed partial class OpenTelemetryExport(
    IOptions<TelemetryOptions> options, IConfiguration configuration, ILogger<OpenTelemetryExport> logger) : IHostedService, IDisposable
{
    /// <summary>The activity sources exported: ASP.NET Core's server spans, Npgsql's commands, Ledger's own.</summary>
    public static readonly IReadOnlyList<string> Sources = ["Microsoft.AspNetCore", "Npgsql", LedgerTelemetry.SourceName];

    private TracerProvider? _tracing;
    private MeterProvider? _metrics;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var configuredEndpoint = string.IsNullOrWhiteSpace(settings.OtlpEndpoint) ? null : settings.OtlpEndpoint.Trim();
        var environmentEndpoint = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (configuredEndpoint is null && string.IsNullOrWhiteSpace(environmentEndpoint)) return Task.CompletedTask;

        var protocol = Protocol(settings.OtlpProtocol ?? configuration["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        var resource = Resource();
        _tracing = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource([.. Sources])
            .AddOtlpExporter(otlp => Configure(otlp, configuredEndpoint, protocol, "v1/traces"))
            .Build();
        _metrics = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter([.. PrometheusCollector.AspNetCoreMeters, LedgerTelemetry.MeterPrefix, LedgerTelemetry.MeterPrefix + ".*"])
            .AddOtlpExporter(otlp => Configure(otlp, configuredEndpoint, protocol, "v1/metrics"))
            .Build();
        LogExporting(logger, configuredEndpoint ?? environmentEndpoint!, protocol.ToString());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        // What the last seconds recorded (the shutdown itself included) still goes out.
        _tracing?.ForceFlush(5000);
        _metrics?.ForceFlush(5000);
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        // The Host stops this service and the container disposes it, possibly at once: take each provider once.
        DisposeQuietly(Interlocked.Exchange(ref _tracing, null));
        DisposeQuietly(Interlocked.Exchange(ref _metrics, null));
    }

    // Shutting telemetry down must never fail the Host's shutdown: the SDK has been seen to throw from
    // TracerProviderSdk.Dispose while other hosts in the same process stop. What was flushed is out already.
    private void DisposeQuietly(IDisposable? provider)
    {
        try
        {
            provider?.Dispose();
        }
        catch (Exception e) when (e is NullReferenceException or ObjectDisposedException or InvalidOperationException)
        {
            LogDisposeFailed(logger, e);
        }
    }

    private ResourceBuilder Resource()
    {
        var name = configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } fromEnvironment ? fromEnvironment : options.Value.ServiceName;
        var attributes = configuration["OTEL_RESOURCE_ATTRIBUTES"] ?? "";
        var version = typeof(OpenTelemetryExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        // OTEL_RESOURCE_ATTRIBUTES (read by CreateDefault) names the instance in a deployment; else the machine does.
        return ResourceBuilder.CreateDefault().AddService(name, serviceVersion: version,
            serviceInstanceId: attributes.Contains("service.instance.id", StringComparison.Ordinal) ? null : Environment.MachineName,
            autoGenerateServiceInstanceId: false);
    }

    private static void Configure(OtlpExporterOptions otlp, string? endpoint, OtlpExportProtocol protocol, string signalPath)
    {
        otlp.Protocol = protocol;
        if (endpoint is null) return; // the exporter reads OTEL_EXPORTER_OTLP_ENDPOINT itself (and adds the signal path)
        // An endpoint set in code is used as given: over HTTP it must name the signal's path.
        otlp.Endpoint = protocol == OtlpExportProtocol.HttpProtobuf ? new Uri(endpoint.TrimEnd('/') + "/" + signalPath) : new Uri(endpoint);
    }

    private static OtlpExportProtocol Protocol(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        null or "" or "grpc" => OtlpExportProtocol.Grpc,
        "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
        _ => throw new InvalidOperationException($"{TelemetryOptions.Section}:OtlpProtocol (or OTEL_EXPORTER_OTLP_PROTOCOL) must be grpc or http/protobuf."),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Disposing an OpenTelemetry provider failed during shutdown")]
    private static partial void LogDisposeFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Exporting traces and metrics over OTLP to {Endpoint} ({Protocol})")]
    private static partial void LogExporting(ILogger logger, string endpoint, string protocol);
}
