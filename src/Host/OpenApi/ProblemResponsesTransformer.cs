using Ledger.Host.Errors;
using Ledger.Host.RateLimiting;
using Ledger.Host.WritePath;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Ledger.Host.OpenApi;

/// <summary>
/// Per operation, what the pipeline around the endpoint adds and the endpoint cannot declare: the bearer requirement
/// and the roles it needs (read from the endpoint's authorization metadata; an anonymous operation says so with an
/// empty requirement), the problem responses the Host answers with (by what the operation is: authorized, has a
/// route parameter, writes, takes a query, reaches the database), <c>Retry-After</c> on 429 and 503, and the <c>Idempotency-Key</c> header of writes.
/// </summary>
internal sealed class ProblemResponsesTransformer : IOpenApiOperationTransformer
{
    private static readonly Dictionary<int, string> Meanings = new()
    {
        [400] = "Invalid request: validation.* (per field, see errors), request.malformed (bad JSON, unknown or missing fields), "
            + "request.invalid_if_match, idempotency.invalid_key.",
        [401] = "auth.unauthenticated: no valid bearer token.",
        [403] = "auth.forbidden: the token's roles do not allow this action.",
        [404] = "Not found (*.not_found); another tenant's resource is not found either.",
        [409] = "concurrency.conflict: the resource changed since the expected version (If-Match); see actual_version.",
        [413] = "request.too_large: the body exceeds the limit.",
        [415] = "request.unsupported_media_type: the body must be application/json.",
        [422] = "The command was refused by the domain (a stable code such as order.not_paid), or idempotency.key_reused "
            + "(the Idempotency-Key was used with another request).",
        [429] = RateLimitServices.ProblemCode + ": too many requests; retry after Retry-After seconds.",
        [500] = ProblemCodes.Internal + ": unexpected; quote the traceId.",
        [503] = ProblemCodes.ServiceUnavailable + ": the database cannot serve in time (down, or every pooled connection busy); "
            + "nothing was done, retry after Retry-After seconds.",
    };

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var method = description.HttpMethod ?? "GET";
        var authorized = metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();
        var isWrite = WritePathMiddleware.IsWrite(method);
        var statuses = new SortedSet<int> { 429, 500 };

        if (authorized)
        {
            statuses.UnionWith([401, 403]);
            await DescribeAccess(operation, context, metadata.OfType<IAuthorizeData>());
        }
        else
        {
            // Said, not left out: an operation without security reads as "whatever the document's default is".
            operation.Security = [new OpenApiSecurityRequirement()];
        }
        if (description.ParameterDescriptions.Any(p => p.Source.Id == "Path")) statuses.Add(404);
        if (description.ParameterDescriptions.Any(p => p.Source.Id is "Query" or "Path" or "Header")) statuses.Add(400);
        if (isWrite) statuses.UnionWith([400, 409, 413, 415, 422]);
        if (isWrite && metadata.OfType<WritePathMetadata>().Any() && !metadata.OfType<NotAWrite>().Any()) AddIdempotencyKey(operation);
        if (description.RelativePath?.TrimStart('/') == "metrics") statuses.ExceptWith([429]); // scrapes are never limited
        // Every API operation reads or writes the database; the health probes answer their own 503 (not a problem).
        if (description.RelativePath?.TrimStart('/').StartsWith("api/", StringComparison.Ordinal) == true) statuses.Add(503);

        operation.Responses ??= [];
        foreach (var status in statuses)
            AddProblem(operation.Responses, status, context.Document);
    }

    private static async Task DescribeAccess(OpenApiOperation operation, OpenApiOperationTransformerContext context, IEnumerable<IAuthorizeData> authorize)
    {
        var optional = context.Description.RelativePath?.TrimStart('/') == "metrics";
        operation.Security ??= [];
        if (optional) operation.Security.Add(new OpenApiSecurityRequirement());
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(LedgerDocumentTransformer.BearerScheme, context.Document)] = [] });

        var policies = context.ApplicationServices.GetRequiredService<IAuthorizationPolicyProvider>();
        var roles = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var data in authorize)
        {
            if (data.Roles is { Length: > 0 } listed) roles.UnionWith(listed.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
            if (data.Policy is { } name && await policies.GetPolicyAsync(name) is { } policy)
                foreach (var requirement in policy.Requirements.OfType<RolesAuthorizationRequirement>())
                    roles.UnionWith(requirement.AllowedRoles);
        }
        if (roles.Count == 0) return;
        var access = $"Roles: {string.Join(", ", roles)}" + (optional ? " (or anonymous from loopback)." : ".");
        operation.Description = string.IsNullOrEmpty(operation.Description) ? access : operation.Description + "\n\n" + access;
    }

    private static void AddIdempotencyKey(OpenApiOperation operation)
    {
        operation.Parameters ??= [];
        if (operation.Parameters.Any(p => p.In == ParameterLocation.Header && p.Name == IdempotencyKey.Header)) return;
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = IdempotencyKey.Header,
            In = ParameterLocation.Header,
            Required = false,
            Description = "Makes the write safe to retry: a retry with the same key gets the original response and appends nothing; "
                + "the same key with another request is refused (422 idempotency.key_reused).",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = IdempotencyKey.MaxLength },
        });
    }

    private static void AddProblem(OpenApiResponses responses, int status, OpenApiDocument? document)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var problem = new OpenApiMediaType { Schema = new OpenApiSchemaReference(LedgerDocumentTransformer.ProblemSchema, document) };
        if (responses.TryGetValue(key, out var existing) && existing is OpenApiResponse declared)
        {
            declared.Content ??= new Dictionary<string, OpenApiMediaType>();
            declared.Content["application/problem+json"] = problem;
            declared.Description = string.IsNullOrEmpty(declared.Description) || declared.Description == ReasonPhrase(status) ? Meanings[status] : declared.Description;
            return;
        }
        var response = new OpenApiResponse
        {
            Description = Meanings[status],
            Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = problem },
        };
        if (status is 429 or 503)
        {
            response.Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Retry-After"] = new OpenApiHeader
                {
                    Description = "Seconds to wait before retrying.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1" },
                },
            };
        }
        responses[key] = response;
    }

    private static string ReasonPhrase(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
}
