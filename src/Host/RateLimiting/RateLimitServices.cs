using System.Globalization;
using System.Threading.RateLimiting;
using Ledger.Host.Errors;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Ledger.Host.RateLimiting;

/// <summary>
/// ASP.NET Core's rate limiter with Ledger's partitions (<see cref="RateLimitPartitions"/>). A refused request is a 429
/// problem with code <see cref="ProblemCode"/> and a <c>Retry-After</c> in seconds; nothing behind the limiter runs.
/// </summary>
public static partial class RateLimitServices
{
    /// <summary>The stable code of a 429. Clients back off for <c>Retry-After</c> seconds and retry.</summary>
    public const string ProblemCode = "rate_limit.exceeded";

    public static IServiceCollection AddLedgerRateLimiting(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section)
            .Validate(RateLimitOptions.IsValid, $"{RateLimitOptions.Section}: PermitLimit must be 0 (off) or more, WindowSeconds between 1 and 86400.")
            .ValidateOnStart();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>, TimeProvider>((limiter, ledger, clock) =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, ct) => RejectAsync(context, ledger.Value);
            if (ledger.Value.Enabled) limiter.GlobalLimiter = RateLimitPartitions.Create(ledger.Value, clock);
        });
        return services;
    }

    /// <summary>After routing (strict endpoints are known by their route) and authentication (the tenant is known).</summary>
    public static IApplicationBuilder UseLedgerRateLimiting(this IApplicationBuilder app) => app.UseRateLimiter();

    /// <summary>Puts an endpoint under the strict budget (token-issuing and export routes are under it already).</summary>
    public static TBuilder RequireStrictRateLimit<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(StrictRateLimit.Instance);

    private static async ValueTask RejectAsync(OnRejectedContext context, RateLimitOptions options)
    {
        var http = context.HttpContext;
        var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? retryAfter
            : TimeSpan.FromSeconds(options.PerClientAddress.WindowSeconds);
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        LogRejected(http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RateLimitServices)), seconds);
        http.Response.Headers.RetryAfter = seconds;
        var problem = Problems.Create(StatusCodes.Status429TooManyRequests, ProblemCode, "Too many requests",
            $"The rate limit for this caller is spent; retry after {seconds} seconds.");
        await Problems.WriteAsync(http, problem);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Request refused by the rate limiter; retry after {RetryAfterSeconds} s")]
    private static partial void LogRejected(ILogger logger, string retryAfterSeconds);
}
