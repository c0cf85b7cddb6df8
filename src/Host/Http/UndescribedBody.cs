using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Host.Http;

/// <summary>
/// A result whose body the document does not describe (bytes written as they are: a JWK Set file, canonical ledger
/// entries): 200 with no schema, as minimal APIs described an <see cref="IResult"/>. Wolverine describes a returned type
/// that says nothing of itself as a JSON resource with a 404 for null; one that does (<see cref="IEndpointMetadataProvider"/>)
/// is taken at its word.
/// </summary>
public abstract class UndescribedBody : IResult, IEndpointMetadataProvider
{
    public abstract Task ExecuteAsync(HttpContext httpContext);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeAttribute(StatusCodes.Status200OK));
    }
}
