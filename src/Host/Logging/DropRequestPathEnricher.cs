using Serilog.Core;
using Serilog.Events;

namespace Ledger.Host.Logging;

/// <summary>
/// Removes the raw request path that ASP.NET Core's logging scope attaches to every event: a path is whatever a
/// client typed. Logs name the matched route template instead (see <see cref="RequestLogContextMiddleware"/>).
/// </summary>
internal sealed class DropRequestPathEnricher : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory) =>
        logEvent?.RemovePropertyIfPresent("RequestPath");
}
