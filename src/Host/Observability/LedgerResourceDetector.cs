using System.Reflection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Resources;

namespace Ledger.Host.Observability;

/// <summary>
/// The resource every span and metric carries: <c>service.name</c> from <c>OTEL_SERVICE_NAME</c>, else
/// <c>Ledger:Telemetry:ServiceName</c>; the build's version; and the machine as <c>service.instance.id</c> unless
/// <c>OTEL_RESOURCE_ATTRIBUTES</c> names the instance (as a deployment does for each of several hosts).
/// Read when the container is built, so a test host's configuration applies.
/// </summary>
internal sealed class LedgerResourceDetector(IOptions<TelemetryOptions> options, IConfiguration configuration) : IResourceDetector
{
    public Resource Detect()
    {
        var name = configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } fromEnvironment ? fromEnvironment : options.Value.ServiceName;
        var version = typeof(LedgerResourceDetector).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var attributes = new Dictionary<string, object> { ["service.name"] = name };
        if (version is not null) attributes["service.version"] = version;
        if (!(configuration["OTEL_RESOURCE_ATTRIBUTES"] ?? "").Contains("service.instance.id", StringComparison.Ordinal))
            attributes["service.instance.id"] = Environment.MachineName;
        return new Resource(attributes);
    }
}
