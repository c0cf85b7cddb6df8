using System.Net;
using Alba;
using Ledger.EndToEnd.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.EndToEnd.Tests.Hardening;

/// <summary>
/// The fixture's Host with other settings (same database and signing key), and optionally a client address: the
/// in-memory test server has none, so a startup filter sets one before the Host's pipeline sees the request.
/// </summary>
public static class HostVariants
{
    public static Task<IAlbaHost> With(
        this LedgerAppFixture app, Dictionary<string, string?> settings, IPAddress? clientAddress = null, Action<IWebHostBuilder>? more = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.HostWith(host =>
        {
            host.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(settings));
            if (clientAddress is not null)
                host.ConfigureTestServices(services => services.AddSingleton<IStartupFilter>(new ClientAddress(clientAddress)));
            more?.Invoke(host);
        });
    }

    /// <summary>Every request arrives from <paramref name="address"/>, or from the address in an <c>X-Test-Client</c> header.</summary>
    private sealed class ClientAddress(IPAddress address) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => builder =>
        {
            builder.Use((http, inner) =>
            {
                http.Connection.RemoteIpAddress = IPAddress.TryParse(http.Request.Headers["X-Test-Client"], out var other) ? other : address;
                return inner(http);
            });
            next(builder);
        };
    }
}
