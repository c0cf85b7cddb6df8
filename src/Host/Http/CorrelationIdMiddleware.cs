using System.Text.RegularExpressions;
using Serilog.Context;

namespace Ledger.Host.Http;

/// <summary>
/// Takes the caller's <c>X-Correlation-Id</c> when it is a sane token, or makes one; echoes it, logs with it,
/// and hands it to the commands (it ends up in every event's metadata).
/// </summary>
public sealed partial class CorrelationIdMiddleware(RequestDelegate next)
{
    public const string Header = "X-Correlation-Id";
    private static readonly object ItemKey = new();

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var offered = context.Request.Headers[Header];
        var correlationId = offered.Count == 1 && SaneId().IsMatch(offered[0]!) ? offered[0]! : Guid.NewGuid().ToString("N");
        context.Items[ItemKey] = correlationId;
        context.Response.OnStarting(static state =>
        {
            var (response, id) = ((HttpResponse, string))state;
            response.Headers[Header] = id;
            return Task.CompletedTask;
        }, (context.Response, correlationId));

        using (LogContext.PushProperty("CorrelationId", correlationId))
            await next(context);
    }

    public static string Get(HttpContext context) =>
        context?.Items[ItemKey] as string ?? throw new InvalidOperationException("CorrelationIdMiddleware is not in the pipeline.");

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex SaneId();
}
