using System.Net;
using Ledger.Host.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Ledger.Host.Observability;

/// <summary>
/// <c>GET /metrics</c>, the Prometheus text format, served by OpenTelemetry's Prometheus exporter. Who may read it: a scraper on loopback (or in
/// <c>Ledger:Telemetry:MetricsAnonymousNetworks</c>) without a token, anyone else only with an <c>operator</c> token.
/// The address is the client's as the trusted proxy forwards it, so a request through the proxy is never "loopback".
/// </summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";
    public const string Policy = "metrics.read";

    public static AuthorizationBuilder AddMetricsPolicy(this AuthorizationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddPolicy(Policy, policy => policy.RequireAssertion(context =>
            context.User.IsInRole(LedgerRoles.Operator)
            || (context.Resource is HttpContext http && IsTrustedScraper(http))));
    }

    public static IEndpointRouteBuilder MapLedgerMetrics(this IEndpointRouteBuilder app)
    {
        // The exporter's own endpoint: a branched pipeline, so it is not in the OpenAPI document (it serves
        // Prometheus's format, and scrapers are configured, not generated from a description). GET and HEAD only.
        app.MapPrometheusScrapingEndpoint(Path)
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]))
            .RequireAuthorization(Policy)
            .DisableRateLimiting();
        return app;
    }

    private static bool IsTrustedScraper(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress;
        if (address is null) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address)) return true;
        var networks = http.RequestServices.GetRequiredService<IOptions<TelemetryOptions>>().Value.MetricsAnonymousNetworks;
        foreach (var entry in networks)
        {
            if (IPAddress.TryParse(entry, out var single) && single.Equals(address)) return true;
            if (IPNetwork.TryParse(entry, out var network) && network.Contains(address)) return true;
        }
        return false;
    }
}
