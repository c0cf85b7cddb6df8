using Ledger.Host.Http;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Ledger.Host.OpenApi;

/// <summary>
/// The request body of a Wolverine endpoint that reads its JSON itself (<see cref="AcceptsJsonAttribute"/>), added to
/// its API description: Wolverine describes a body only for a parameter it binds. Described here, the document gets
/// the body exactly as minimal APIs' <c>Accepts&lt;T&gt;()</c> gave it (a shared component, its nested types too).
/// </summary>
internal sealed class AcceptsJsonDescriptions : IApiDescriptionProvider
{
    // A host without MVC registers no metadata provider; the plain one describes a type well enough for the document.
    private static readonly EmptyModelMetadataProvider Models = new();

    public int Order => 0; // executed after Wolverine's (-2000) has added its descriptions

    public void OnProvidersExecuting(ApiDescriptionProviderContext context)
    {
    }

    public void OnProvidersExecuted(ApiDescriptionProviderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var description in context.Results)
        {
            if (description.ActionDescriptor.EndpointMetadata?.OfType<AcceptsJsonAttribute>().FirstOrDefault() is not { RequestType: { } type } accepts
                || description.ParameterDescriptions.Any(p => p.Source == BindingSource.Body))
                continue;
            description.ParameterDescriptions.Add(new ApiParameterDescription
            {
                Name = type.Name,
                Type = type,
                Source = BindingSource.Body,
                IsRequired = !accepts.IsOptional,
                ModelMetadata = Models.GetMetadataForType(type),
            });
            foreach (var contentType in accepts.ContentTypes)
                description.SupportedRequestFormats.Add(new ApiRequestFormat { MediaType = contentType });
        }
    }
}
