using System.Net;

namespace Ledger.Host.Observability;

/// <summary>Registration of traces, metrics and <c>/metrics</c>.</summary>
public static class TelemetryServices
{
    public static IServiceCollection AddLedgerTelemetry(this IServiceCollection services)
    {
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section)
            .Validate(o => o.MaxSeriesPerInstrument > 0
                    && o.MetricsAnonymousNetworks.All(n => IPAddress.TryParse(n, out _) || IPNetwork.TryParse(n, out _))
                    && (string.IsNullOrWhiteSpace(o.OtlpEndpoint) || Uri.TryCreate(o.OtlpEndpoint, UriKind.Absolute, out _)),
                $"{TelemetryOptions.Section}: OtlpEndpoint must be an absolute URI, MetricsAnonymousNetworks addresses or CIDR networks.")
            .ValidateOnStart();
        services.AddMetrics();
        services.AddSingleton<PrometheusCollector>();
        services.AddHostedService(sp => sp.GetRequiredService<PrometheusCollector>());
        services.AddHostedService<OpenTelemetryExport>();
        services.AddAuthorizationBuilder().AddMetricsPolicy();
        return services;
    }

    /// <summary>Outermost but for the security headers: it must see the status the exception handler settles on.</summary>
    public static IApplicationBuilder UseLedgerRequestTelemetry(this IApplicationBuilder app) =>
        app.UseMiddleware<RequestTelemetryMiddleware>();
}
