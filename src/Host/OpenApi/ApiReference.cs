using Scalar.AspNetCore;

namespace Ledger.Host.OpenApi;

/// <summary>
/// <c>/docs</c>: an interactive reference (Scalar) over the same <c>/openapi/v1.json</c> a client generator reads.
/// Everything it needs comes from the Host: the page, Scalar's script (embedded in Scalar.AspNetCore and served at
/// <c>/docs/scalar.js</c>) and the document. No CDN, no web fonts, no telemetry: a reference must work offline and
/// leak no visit. Anonymous, like the document itself.
/// </summary>
public static class ApiReference
{
    public const string Route = "/docs";

    public static IEndpointRouteBuilder MapLedgerApiReference(this IEndpointRouteBuilder app)
    {
        app.MapScalarApiReference(Route, options => options
                .WithTitle("Ledger API")
                .WithOpenApiRoutePattern(OpenApiServices.Route)
                .AddDocument(OpenApiServices.DocumentName)
                .WithNonce()
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp())
            .AllowAnonymous()
            .WithMetadata(ApiReferencePolicy.Instance);
        return app;
    }
}
