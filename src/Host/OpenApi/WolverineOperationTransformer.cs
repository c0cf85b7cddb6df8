using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Wolverine.Http;

namespace Ledger.Host.OpenApi;

/// <summary>
/// No description where Wolverine offers its generated handler's name as an operation's (its chain is the endpoint's
/// <see cref="IEndpointDescriptionMetadata"/>): the document describes operations by their summary and roles.
/// </summary>
internal sealed class WolverineOperationTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<HttpChain>().FirstOrDefault() is { } chain
            && operation.Description == ((IEndpointDescriptionMetadata)chain).Description)
            operation.Description = null;
        return Task.CompletedTask;
    }
}
