using Ledger.Host.Auth;
using Serilog;
using Serilog.Context;

namespace Ledger.Host.Logging;

/// <summary>
/// Once the request is routed and authenticated, adds what is known about it to its logs: the route template
/// and, for an authenticated caller, the tenant (never the subject's personal details).
/// </summary>
public sealed class RequestLogContextMiddleware(RequestDelegate next, IDiagnosticContext diagnostics)
{
    private static readonly object RouteKey = new();

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.GetEndpoint() is RouteEndpoint endpoint)
            context.Items[RouteKey] = endpoint.RoutePattern.RawText;

        var tenant = context.User.Identity?.IsAuthenticated == true ? context.User.FindFirst(LedgerClaims.Tenant)?.Value : null;
        if (tenant is null)
        {
            await next(context);
            return;
        }
        diagnostics.Set("TenantId", tenant);
        using (LogContext.PushProperty("TenantId", tenant))
            await next(context);
    }

    /// <summary>The matched route's template, kept past the exception handler (which clears the endpoint).</summary>
    public static string RouteTemplate(HttpContext context) =>
        context?.Items[RouteKey] as string ?? "(unmatched)";
}
