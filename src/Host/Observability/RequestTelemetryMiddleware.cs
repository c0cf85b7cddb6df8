using System.Diagnostics.Metrics;
using Ledger.Host.Logging;

namespace Ledger.Host.Observability;

/// <summary>
/// Counts failed requests per endpoint (<c>ledger.http.server.errors</c>: route template, method, status), so an alert
/// can watch one counter instead of filtering a histogram. ASP.NET Core's <c>http.server.request.duration</c> has the
/// latency, and OpenTelemetry's ASP.NET Core instrumentation names the request's span after its route. Sits outside
/// the exception handler, so it sees the status the client got.
/// </summary>
public sealed class RequestTelemetryMiddleware
{
    public const string MeterName = "Ledger.Http";

    private readonly RequestDelegate _next;
    private readonly Counter<long> _errors;

    public RequestTelemetryMiddleware(RequestDelegate next, IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _next = next;
        _errors = meterFactory.Create(MeterName).CreateCounter<long>(
            "ledger.http.server.errors", "{request}", "Requests answered with a 4xx or 5xx status, per route template, method and status.");
    }

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await _next(context);
        }
        finally
        {
            var status = context.Response.StatusCode;
            if (status >= 400)
                _errors.Add(1,
                    new KeyValuePair<string, object?>("http.route", RequestLogContextMiddleware.RouteTemplate(context)),
                    new KeyValuePair<string, object?>("http.request.method", context.Request.Method),
                    new KeyValuePair<string, object?>("http.response.status_code", status));
        }
    }
}
