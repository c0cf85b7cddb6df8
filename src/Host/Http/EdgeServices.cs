using System.Net;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Ledger.Host.Http;

/// <summary>The Host's edge: forwarded headers from trusted proxies only, and CORS (closed by default).</summary>
public static class EdgeServices
{
    /// <summary>The headers a browser client may send, and those it may read, when its origin is allowed.</summary>
    private static readonly string[] AllowedHeaders = ["Authorization", "Content-Type", "If-Match", "Idempotency-Key", CorrelationIdMiddleware.Header];
    private static readonly string[] ExposedHeaders =
        ["ETag", "Location", "Retry-After", CorrelationIdMiddleware.Header, "X-Ledger-Position", WritePath.StoredResponse.ReplayedHeader];

    public static IServiceCollection AddLedgerEdge(this IServiceCollection services)
    {
        services.AddOptions<LedgerHttpOptions>().BindConfiguration(LedgerHttpOptions.Section)
            .Validate(o => o.HstsMaxAgeSeconds >= 0 && o.TrustedProxies.All(p => System.Net.IPNetwork.TryParse(p, out _) || IPAddress.TryParse(p, out _)),
                $"{LedgerHttpOptions.Section}: TrustedProxies must be IP addresses or CIDR networks, HstsMaxAgeSeconds 0 or more.")
            .ValidateOnStart();
        services.AddOptions<LedgerCorsOptions>().BindConfiguration(LedgerCorsOptions.Section)
            .Validate(LedgerCorsOptions.IsValid, $"{LedgerCorsOptions.Section}:AllowedOrigins must be origins such as https://app.example.com (scheme, host, optional port; no path, no wildcard).")
            .ValidateOnStart();

        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<LedgerHttpOptions>>((forwarded, http) =>
        {
            // ASP.NET Core trusts loopback proxies by default, and every sender when both lists are empty; Ledger
            // trusts only the proxies named, and with none named reads no forwarded header at all.
            forwarded.ForwardedHeaders = http.Value.TrustedProxies.Length == 0
                ? ForwardedHeaders.None
                : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.KnownIPNetworks.Clear();
            forwarded.KnownProxies.Clear();
            foreach (var proxy in http.Value.TrustedProxies)
            {
                if (IPAddress.TryParse(proxy, out var address)) forwarded.KnownProxies.Add(address);
                else forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(proxy));
            }
        });

        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<LedgerCorsOptions>>((cors, ledger) => cors.AddDefaultPolicy(policy =>
        {
            // No origin named, no origin allowed: the policy answers no browser with Access-Control-Allow-Origin.
            if (ledger.Value.AllowedOrigins.Length == 0) return;
            policy.WithOrigins(ledger.Value.AllowedOrigins)
                .WithMethods(HttpMethods.Get, HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete)
                .WithHeaders(AllowedHeaders)
                .WithExposedHeaders(ExposedHeaders)
                .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
        }));
        return services;
    }

    /// <summary>First in the pipeline, so everything after it sees the client's address and scheme.</summary>
    public static IApplicationBuilder UseLedgerForwardedHeaders(this IApplicationBuilder app) => app.UseForwardedHeaders();

    /// <summary>After routing, before authentication (a preflight carries no token).</summary>
    public static IApplicationBuilder UseLedgerCors(this IApplicationBuilder app) => app.UseCors();
}
