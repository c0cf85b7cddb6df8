using Scalar.AspNetCore;

namespace Ledger.Host.OpenApi;

/// <summary>
/// <c>/docs</c>: an interactive reference (Scalar) over the same <c>/openapi/v1.json</c> a client generator reads.
/// Everything it needs comes from the Host: the page, Scalar's script (embedded in Scalar.AspNetCore and served at
/// <c>/docs/scalar.js</c> as long as no CdnUrl or BundleUrl is set) and the document. No CDN, no web fonts, no
/// telemetry, no AI agent: a reference must work offline and tell nobody who reads it. Anonymous, like the document.
/// The page's own Content-Security-Policy, and why it allows what it allows: <see cref="ApiReferencePolicy"/>.
/// </summary>
public static class ApiReference
{
    public const string Route = "/docs";

    public static IEndpointRouteBuilder MapLedgerApiReference(this IEndpointRouteBuilder app)
    {
        app.MapScalarApiReference(Route, options =>
            {
                options.WithTitle("Ledger API")
                    .WithOpenApiRoutePattern(OpenApiServices.Route)
                    .AddDocument(OpenApiServices.DocumentName)
                    .WithNonce() // a fresh one per request, on Scalar's script tags; ApiReferencePolicy allows it
                    .DisableDefaultFonts()
                    .DisableTelemetry()
                    .DisableAgent()
                    .DisableMcp()
                    .HideDeveloperTools(); // its share and deploy buttons lead to Scalar's cloud
                options.HeadContent = $"<script>{ApiReferencePolicy.JitlessScript}</script>";
            })
            .AllowAnonymous()
            .WithMetadata(ApiReferencePolicy.Instance);
        return app;
    }
}
