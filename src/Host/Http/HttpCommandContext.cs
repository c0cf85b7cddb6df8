using System.Diagnostics;
using Ledger.Application;
using Ledger.Host.Auth;

namespace Ledger.Host.Http;

/// <summary>Who sends a command over HTTP: tenant and actor from the token, correlation and trace from the request.</summary>
public static class HttpCommandContext
{
    public const string Origin = "http";

    public static CommandContext From(HttpContext http, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(clock);
        return new CommandContext(
            TenantId: http.User.TenantId(),
            Actor: http.User.Actor(),
            Now: clock.GetUtcNow(),
            CorrelationId: CorrelationIdMiddleware.Get(http),
            CausationId: null,
            TraceId: Activity.Current?.TraceId.ToHexString(),
            Origin: Origin);
    }
}
