using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Wolverine.Http;

namespace Ledger.Host.OpenApi;

/// <summary>
/// What a Wolverine endpoint's operation says differently from a minimal API's, put back: no description where
/// Wolverine offers its generated handler's name as one (its chain is the endpoint's
/// <see cref="IEndpointDescriptionMetadata"/>; the document describes operations by their summary and roles), and the
/// success responses first (Wolverine adds a method's <c>[ProducesResponseType]</c> before its return type's).
/// </summary>
internal sealed class WolverineOperationTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<HttpChain>().FirstOrDefault() is not { } chain) return Task.CompletedTask;
        if (operation.Description == ((IEndpointDescriptionMetadata)chain).Description)
            operation.Description = null;
        if (operation.Responses is { Count: > 1 } responses)
        {
            var ordered = responses.OrderBy(r => r.Key.StartsWith('2') ? 0 : 1).ToList();
            responses.Clear();
            foreach (var response in ordered) responses.Add(response.Key, response.Value);
        }
        return Task.CompletedTask;
    }
}
