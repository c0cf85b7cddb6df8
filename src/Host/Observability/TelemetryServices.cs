using System.Net;
using Ledger.EventStore.Telemetry;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ledger.Host.Observability;

/// <summary>
/// Traces and metrics through the OpenTelemetry SDK (OpenTelemetry.Extensions.Hosting): ASP.NET Core, HttpClient,
/// Npgsql and .NET runtime instrumentation plus every Ledger meter (<c>Ledger</c>, <c>Ledger.*</c>) and Ledger's
/// ActivitySource; metrics are served at <c>/metrics</c> by the Prometheus exporter and, like traces, sent over OTLP
/// when an endpoint is configured (see <see cref="OtlpExport"/>).
/// </summary>
public static class TelemetryServices
{
    /// <summary>
    /// The activity sources traced besides the instrumentations': Ledger's own spans, and Marten's (its async daemon
    /// traces each page a projection or the chain sealer loads and applies).
    /// </summary>
    public static readonly IReadOnlyList<string> LedgerSources = [LedgerTelemetry.SourceName, MartenTelemetry];

    /// <summary>
    /// The meters exposed besides the instrumentations': every Ledger meter, and Marten's (per projection and
    /// subscription shard: events processed, the gap to the high-water mark, events skipped — which Ledger keeps at 0).
    /// </summary>
    public static readonly IReadOnlyList<string> LedgerMeters = [LedgerTelemetry.MeterPrefix, LedgerTelemetry.MeterPrefix + ".*", MartenTelemetry];

    /// <summary>The name of Marten's activity source and meter.</summary>
    public const string MartenTelemetry = "Marten";

    public static IServiceCollection AddLedgerTelemetry(this IServiceCollection services)
    {
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section)
            .Validate(o => o.MaxSeriesPerInstrument > 0
                    && o.MetricsAnonymousNetworks.All(n => IPAddress.TryParse(n, out _) || IPNetwork.TryParse(n, out _))
                    && (string.IsNullOrWhiteSpace(o.OtlpEndpoint) || Uri.TryCreate(o.OtlpEndpoint, UriKind.Absolute, out _))
                    && OtlpExport.IsKnownProtocol(o.OtlpProtocol),
                $"{TelemetryOptions.Section}: OtlpEndpoint must be an absolute URI, OtlpProtocol grpc or http/protobuf, "
                + "MetricsAnonymousNetworks addresses or CIDR networks.")
            .ValidateOnStart();
        services.AddSingleton<OtlpExport>();
        services.AddSingleton<LedgerResourceDetector>();

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddDetector(sp => sp.GetRequiredService<LedgerResourceDetector>()))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddSource([.. LedgerSources])
                .SetSampler(sp => sp.GetRequiredService<OtlpExport>().Sampler))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddMeter([.. LedgerMeters])
                .AddPrometheusExporter(prometheus =>
                {
                    // Each scrape reads the instruments afresh: a scraper sees what was just recorded, and a
                    // cached answer would only save work for scrapers polling faster than Prometheus ever does.
                    prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                }));
        // Settings are read once the container is built (a test host's overrides come late), hence deferred.
        services.ConfigureOpenTelemetryTracerProvider((sp, tracing) => sp.GetRequiredService<OtlpExport>().AddTo(tracing));
        services.ConfigureOpenTelemetryMeterProvider((sp, metrics) =>
        {
            // One view for every instrument (two matching views would make two streams of one instrument).
            var maxSeries = sp.GetRequiredService<IOptions<TelemetryOptions>>().Value.MaxSeriesPerInstrument;
            metrics.AddView(instrument => MetricStreams.For(instrument, maxSeries));
            sp.GetRequiredService<OtlpExport>().AddTo(metrics);
        });
        services.AddHostedService<TelemetryFlush>();
        services.AddAuthorizationBuilder().AddMetricsPolicy();
        return services;
    }

    /// <summary>Outermost but for the security headers: it must see the status the exception handler settles on.</summary>
    public static IApplicationBuilder UseLedgerRequestTelemetry(this IApplicationBuilder app) =>
        app.UseMiddleware<RequestTelemetryMiddleware>();
}
