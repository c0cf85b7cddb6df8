using System.Text.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Ledger.Host.OpenApi;

/// <summary>
/// Request bodies take amounts, quantities and rates as <see cref="JsonElement"/>, so that a JSON number can be refused
/// with its own code; the contract says what is accepted: a decimal string. A JsonElement elsewhere (event data in a
/// response) stays "any JSON". Request bodies are the types named <c>…Request</c> or <c>…Body</c>.
/// </summary>
internal sealed class MoneySchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(context);
        var type = context.JsonTypeInfo.Type;
        var optional = Nullable.GetUnderlyingType(type) is not null;
        var owner = context.JsonPropertyInfo?.DeclaringType.Name ?? "";
        if ((Nullable.GetUnderlyingType(type) ?? type) == typeof(JsonElement)
            && (owner.EndsWith("Request", StringComparison.Ordinal) || owner.EndsWith("Body", StringComparison.Ordinal)))
        {
            schema.Type = optional ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
            schema.Pattern = @"^-?[0-9]+(\.[0-9]+)?$";
            schema.Description ??= "A decimal number as a string, such as \"12.50\"; never a JSON number.";
        }
        return Task.CompletedTask;
    }
}
