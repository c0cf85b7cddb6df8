using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.WritePath;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.EndToEnd.Tests.Audit;

/// <summary>A write endpoint that skips the write path would leave commands unaudited and retries unsafe: none may.</summary>
public sealed class WritePathCoverageTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    private static readonly string[] WriteMethods = ["POST", "PUT", "PATCH", "DELETE"];

    [Fact]
    public void Every_write_endpoint_goes_through_the_write_path()
    {
        var endpoints = app.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var writes = endpoints
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods.Any(WriteMethods.Contains) == true)
            .Where(e => e.Metadata.GetMetadata<NotAWrite>() is null)
            .ToList();

        writes.ShouldNotBeEmpty();
        writes.Where(e => e.Metadata.GetMetadata<WritePathMetadata>() is null)
            .Select(e => e.RoutePattern.RawText)
            .ShouldBeEmpty("write endpoints without [WritePathMetadata(...)]");
    }
}
