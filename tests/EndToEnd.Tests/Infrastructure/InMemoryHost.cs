using Alba;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace Ledger.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The Host's own <c>Program</c>, in memory under Alba (ASP.NET Core's TestServer), in the <c>Testing</c> environment with
/// a fixture's settings; <paramref name="more"/> goes after them, so a test's variant overrides what it names.
/// </summary>
public static class InMemoryHost
{
    public static Task<IAlbaHost> StartAsync(IEnumerable<KeyValuePair<string, string?>> settings, Action<IWebHostBuilder>? more = null) =>
        // The settings go in as app configuration, not through Alba's WithConfiguration (host configuration, whose
        // order against app configuration is the framework's): a variant's settings in `more` then come after these, and win.
        AlbaHost.For<Program>(host =>
        {
            host.UseEnvironment("Testing");
            host.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(settings));
            more?.Invoke(host);
        }).StartAsync();

    /// <summary>A plain client of the in-memory server, for tests that read better with <see cref="HttpClient"/> than as scenarios.</summary>
    public static HttpClient Client(this IAlbaHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.Server.CreateClient();
    }
}
