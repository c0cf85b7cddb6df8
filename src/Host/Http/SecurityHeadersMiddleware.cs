using System.Globalization;
using Microsoft.Extensions.Options;

namespace Ledger.Host.Http;

/// <summary>
/// Hardening headers on every response, errors included. Set when the response starts, because the exception
/// handler clears headers set earlier. HSTS only on HTTPS (direct, or forwarded by a trusted proxy): a browser
/// ignores it over plain HTTP, and an HTTP-only development host must not pin itself. The Content-Security-Policy forbids
/// everything unless the endpoint that answers declares its own (<see cref="IContentSecurityPolicy"/>).
/// </summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next, IOptions<LedgerHttpOptions> options)
{
    private readonly string? _hsts = options.Value.HstsMaxAgeSeconds > 0
        ? string.Create(CultureInfo.InvariantCulture, $"max-age={options.Value.HstsMaxAgeSeconds}; includeSubDomains")
        : null;

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.OnStarting(static state =>
        {
            var (http, hsts) = ((HttpContext, string?))state;
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = ContentSecurityPolicy.Of(http);
            if (hsts is not null && http.Request.IsHttps) headers.StrictTransportSecurity = hsts;
            return Task.CompletedTask;
        }, (context, _hsts));
        return next(context);
    }
}
