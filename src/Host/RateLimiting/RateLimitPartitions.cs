using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.RateLimiting;
using Ledger.Host.Auth;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Ledger.Host.RateLimiting;

/// <summary>
/// Who a request counts against. Every request counts against its client address; an authenticated one also against
/// its tenant; a request to a strict endpoint also against that endpoint's budget for its caller. The first budget
/// spent refuses the request. Health probes are never limited (a load balancer must always see the truth).
/// </summary>
internal static class RateLimitPartitions
{
    private const string Unlimited = "";
    private static readonly string[] StrictSegmentPrefixes = ["token", "export"];
    private static readonly ConditionalWeakTable<Endpoint, StrictRateLimit?> StrictEndpoints = [];

    public static PartitionedRateLimiter<HttpContext> Create(RateLimitOptions options, TimeProvider clock) =>
        PartitionedRateLimiter.CreateChained(
            Limiter(options.PerClientAddress, clock, http => IsExempt(http) ? Unlimited : "address:" + ClientAddress(http)),
            Limiter(options.PerTenant, clock, http => IsExempt(http) ? Unlimited : Tenant(http) is { } tenant ? "tenant:" + tenant : Unlimited),
            Limiter(options.Strict, clock, http => IsExempt(http) || Strict(http) is not { } route ? Unlimited
                : $"strict:{route}:" + (Tenant(http) is { } tenant ? "tenant:" + tenant : "address:" + ClientAddress(http))));

    /// <summary>
    /// The address a request comes from, IPv6 grouped by /64 (one host commonly holds a whole /64). Behind a trusted
    /// proxy this is the forwarded client address (see <c>Ledger:Http:TrustedProxies</c>).
    /// </summary>
    public static string ClientAddress(HttpContext http)
    {
        var ip = http.Connection.RemoteIpAddress;
        if (ip is null) return "unknown";
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (ip.AddressFamily != AddressFamily.InterNetworkV6) return ip.ToString();
        var bytes = ip.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    private static PartitionedRateLimiter<HttpContext> Limiter(WindowLimit limit, TimeProvider clock, Func<HttpContext, string> key) =>
        PartitionedRateLimiter.Create<HttpContext, string>(http =>
        {
            var partition = limit.IsOn ? key(http) : Unlimited;
            return partition.Length == 0
                ? RateLimitPartition.GetNoLimiter(partition)
                : RateLimitPartition.Get(partition, _ => new FixedWindowLimiter(limit, clock));
        });

    private static bool IsExempt(HttpContext http) => http.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase);

    private static string? Tenant(HttpContext http) =>
        http.User.Identity?.IsAuthenticated == true ? http.User.FindFirst(LedgerClaims.Tenant)?.Value : null;

    /// <summary>The route of a strict endpoint, or null: marked with <see cref="StrictRateLimit"/>, or with a literal segment naming tokens or exports.</summary>
    private static string? Strict(HttpContext http)
    {
        if (http.GetEndpoint() is not { } endpoint) return null;
        var strict = StrictEndpoints.GetValue(endpoint, static e =>
            e.Metadata.GetMetadata<StrictRateLimit>()
            ?? (e is RouteEndpoint route && route.RoutePattern.PathSegments.Any(IsStrictSegment) ? StrictRateLimit.Instance : null));
        return strict is null ? null : (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? endpoint.DisplayName ?? "endpoint";
    }

    private static bool IsStrictSegment(RoutePatternPathSegment segment) =>
        segment.Parts.Any(part => part is RoutePatternLiteralPart literal
            && StrictSegmentPrefixes.Any(prefix => literal.Content.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)));
}

/// <summary>Endpoint metadata: the strict budget applies (see <see cref="RateLimitOptions.Strict"/>).</summary>
public sealed class StrictRateLimit
{
    public static StrictRateLimit Instance { get; } = new();

    private StrictRateLimit()
    {
    }
}
