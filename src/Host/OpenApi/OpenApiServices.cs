using Microsoft.AspNetCore.OpenApi;

namespace Ledger.Host.OpenApi;

/// <summary>
/// The OpenAPI 3.1 document at <c>/openapi/v1.json</c>, generated from the endpoints, with what the endpoints cannot
/// say themselves added by transformers: the bearer scheme and who needs it, every problem a call can answer with,
/// the <c>Idempotency-Key</c> header, money as decimal strings, and the health probes. The same document is committed
/// as <c>schemas/openapi.json</c> (<c>make openapi</c> regenerates it; a test fails when they differ).
/// </summary>
public static class OpenApiServices
{
    public const string DocumentName = "v1";
    // The one document by its literal path: with a {documentName} parameter, an unknown name got the framework's
    // plain-text 404 instead of a problem.
    public const string Route = "/openapi/v1.json";

    public static IServiceCollection AddLedgerOpenApi(this IServiceCollection services) =>
        services.AddSingleton<Microsoft.AspNetCore.Mvc.ApiExplorer.IApiDescriptionProvider, AcceptsJsonDescriptions>()
        .AddOpenApi(DocumentName, options =>
        {
            // Inline, not one shared component: a JsonElement is money in a request and any JSON in a response.
            options.CreateSchemaReferenceId = type =>
                (Nullable.GetUnderlyingType(type.Type) ?? type.Type) == typeof(System.Text.Json.JsonElement) ? null : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
            options.AddSchemaTransformer<MoneySchemaTransformer>();
            options.AddOperationTransformer<WolverineOperationTransformer>();
            options.AddOperationTransformer<ProblemResponsesTransformer>();
            options.AddDocumentTransformer<LedgerDocumentTransformer>();
        });

    /// <summary>Anonymous: the contract is no secret (it is in the repository); rate-limited per client address like any call.</summary>
    public static IEndpointRouteBuilder MapLedgerOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi(Route).AllowAnonymous();
        return app;
    }
}
