using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Ledger.Host.OpenApi;

/// <summary>
/// Document-wide parts: title, the <c>bearer</c> security scheme, the <c>Problem</c> schema every error response
/// refers to, what each tag groups, and the health probes (health-check endpoints are not in the API explorer). The one
/// server is relative (<c>/</c>, the origin that serves the document): the document must not depend on the host that
/// served it, or the committed copy could never match, yet a client and the <c>/docs</c> page need a base URL.
/// </summary>
internal sealed class LedgerDocumentTransformer : IOpenApiDocumentTransformer
{
    public const string BearerScheme = "bearer";
    public const string ProblemSchema = "Problem";
    public const string OperationsTag = "Operations";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        document.Info = new OpenApiInfo
        {
            Title = "Ledger API",
            Version = OpenApiServices.DocumentName,
            Description = "Orders, invoices and the verifiable audit ledger. Money is always a decimal string. Every error is an "
                + "RFC 9457 problem (application/problem+json) with a stable `code` and the `traceId` to quote. The tenant always "
                + "comes from the bearer token, never from the request.",
        };
        document.Servers = [new OpenApiServer { Url = "/", Description = "The Ledger host that serves this document." }];
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A JWT signed with RS256 (kid header required) carrying iss, aud, sub, exp, iat, nbf, jti, tenant and roles.",
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ProblemSchema] = Problem();
        // The business resources in a fixed order, the platform's probes last, whatever order the endpoints were mapped
        // in (Wolverine's endpoints come before minimal APIs', each in its own order).
        var tags = (document.Tags ?? new HashSet<OpenApiTag>()).Where(t => t.Name != OperationsTag).OrderBy(t => Rank(t.Name))
            .Append(new OpenApiTag { Name = OperationsTag });
        document.Tags = new HashSet<OpenApiTag>(tags);
        OrderPathsByResource(document);
        foreach (var tag in document.Tags)
            tag.Description ??= TagDescriptions.GetValueOrDefault(tag.Name ?? "");
        document.Paths ??= [];
        document.Paths["/health/live"] = Health(document, "The process answers (liveness).", live: true);
        document.Paths["/health/ready"] = Health(document, "The Host can serve: the database answers and every migration is applied (readiness).", live: false);
        return Task.CompletedTask;
    }

    /// <summary>The resources as the document lists them: how a newcomer meets them (an order first).</summary>
    private static readonly string[] Resources = ["Orders", "Invoices", "Invoicing settings", "Ledger", "Reports", "Data subjects"];

    private static int Rank(string? tag) => Array.IndexOf(Resources, tag) is var i and >= 0 ? i : Resources.Length;

    // Each resource's paths together, in the resources' order; within one, as the endpoints declare them.
    private static void OrderPathsByResource(OpenApiDocument document)
    {
        if (document.Paths is not { Count: > 0 } paths) return;
        var ordered = paths.OrderBy(p => Rank(p.Value.Operations?.Values
            .SelectMany(o => o.Tags ?? Enumerable.Empty<OpenApiTagReference>()).Select(t => t.Name).FirstOrDefault())).ToList();
        paths.Clear();
        foreach (var entry in ordered) paths.Add(entry.Key, entry.Value);
    }

    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        ["Orders"] = "An order's lifecycle: create, request payment, pay (or record a failed payment), fulfil, cancel. "
            + "Every write appends events and its audit entry to the tenant's hash chain; If-Match and Idempotency-Key make retries safe.",
        ["Invoices"] = "Invoices and credit notes issued from orders or by hand, numbered per series and stamped as VERI*FACTU "
            + "registration records (docs/invoicing.md).",
        ["Ledger"] = "The auditor's read-only view of the tenant's hash chain: entries as hashed, signed checkpoints, a resumable "
            + "verification walk and signed exports (docs/ledger-format.md). The signing keys are public.",
        ["Invoicing settings"] = "A tenant's issuer profile, tax rules (versions with effective dates), tax categories and exchange "
            + "rates, managed by tenant administrators; every change is an event in the tenant's chain with its audit entry (docs/invoicing.md).",
        ["Reports"] = "Read models, eventually consistent: paged JSON or CSV, with the projection position they reflect; "
            + "X-Ledger-Min-Position reads your own writes.",
        ["Data subjects"] = "A person's data, for the privacy officer: everything kept about a data subject (by its customer id), and its "
            + "erasure — the subject's key is destroyed, so the sealed fields in the events can never be read again while every chain, "
            + "checkpoint and export still verifies (docs/privacy.md).",
        [OperationsTag] = "Health probes for the platform that runs the Host.",
    };

    private static OpenApiSchema Problem() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "An RFC 9457 problem. Clients branch on `code`, which never changes meaning.",
        Required = new HashSet<string> { "type", "title", "status", "code", "traceId" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A URI reference naming the problem type." },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["code"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "Stable code: validation.*, request.*, auth.*, *.not_found, concurrency.conflict, idempotency.*, "
                    + "rate_limit.exceeded, domain refusals such as order.not_paid, internal.",
            },
            ["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The W3C trace id of the request, as in the logs." },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "Validation problems only: the messages per field.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
            ["actual_version"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Integer,
                Format = "int64",
                Description = "409 concurrency.conflict only: the resource's current version.",
            },
        },
    };

    private static OpenApiPathItem Health(OpenApiDocument document, string description, bool live)
    {
        var text = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } };
        var responses = new OpenApiResponses { ["200"] = new OpenApiResponse { Description = "Healthy", Content = text } };
        if (!live) responses["503"] = new OpenApiResponse { Description = "Unhealthy", Content = text };
        return new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    Summary = live ? "Liveness probe" : "Readiness probe",
                    Description = description,
                    OperationId = live ? "getLiveness" : "getReadiness",
                    Security = [new OpenApiSecurityRequirement()], // anonymous: a load balancer has no token
                    Tags = new HashSet<OpenApiTagReference> { new(OperationsTag, document) },
                    Responses = responses,
                },
            },
        };
    }
}
