using Ledger.Host.OpenApi;
using Ledger.Projections.Reading;
using Microsoft.OpenApi;

namespace Ledger.Host.ReadModels;

/// <summary>
/// What a report endpoint reads and answers, for the OpenAPI document: its filters and paging parameters (read from
/// the query by hand, to answer malformed ones with the read model's own codes), the read-your-writes header, the JSON
/// page or its CSV, the freshness headers, and the 400 and 503 problems.
/// </summary>
internal static class ReportOpenApi
{
    private const string BadQuery = "Invalid query: read_model.invalid_filter (an unknown, repeated or malformed filter), "
        + "read_model.invalid_limit, read_model.invalid_cursor (malformed, or issued for other filters), read_model.invalid_position.";

    private const string NotCaughtUp = "read_model.not_caught_up: the read model did not reach X-Ledger-Min-Position in time; "
        + "the write is committed, retry after Retry-After seconds.";

    public static RouteHandlerBuilder DescribeReport<TPage>(
        this RouteHandlerBuilder builder, string summary, string description, params (string Name, string Description)[] filters)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .WithSummary(summary)
            .WithDescription(description)
            .Produces<TPage>(StatusCodes.Status200OK)
            .AddOpenApiOperationTransformer((operation, context, _) =>
            {
                operation.Parameters ??= [];
                foreach (var (name, description) in filters) operation.Parameters.Add(Query(name, description));
                operation.Parameters.Add(Query("limit", $"Rows per page, 1 to {ReportLimits.Max} (default {ReportLimits.Default}).", JsonSchemaType.Integer));
                operation.Parameters.Add(Query("cursor", "The next_cursor of the previous page, with the same filters."));
                operation.Parameters.Add(Query("min_position", "Same as the X-Ledger-Min-Position header."));
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = ReportRequest.MinPositionHeader, In = ParameterLocation.Header, Required = false,
                    Description = "Read your writes: the X-Ledger-Position a write returned (Marten's global sequence number). The answer waits, up to a bounded time, until the read model has applied it.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });

                operation.Responses ??= [];
                if (operation.Responses.TryGetValue("200", out var ok) && ok is OpenApiResponse success)
                {
                    success.Description = "A page of the report, as JSON or (Accept: text/csv) as CSV with the same columns.";
                    success.Content ??= new Dictionary<string, OpenApiMediaType>();
                    success.Content["text/csv"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
                    success.Headers = new Dictionary<string, IOpenApiHeader>
                    {
                        [ReportAnswer.PositionHeader] = Header("The projection position the rows reflect: every event up to it, none after."),
                        [ReportAnswer.NextCursorHeader] = Header("The cursor of the next page, when there is one."),
                    };
                }
                operation.Responses["400"] = Problem(BadQuery, context.Document);
                var late = Problem(NotCaughtUp, context.Document);
                late.Headers = new Dictionary<string, IOpenApiHeader> { ["Retry-After"] = Header("Seconds to wait before retrying.") };
                operation.Responses["503"] = late;
                return Task.CompletedTask;
            });
    }

    private static OpenApiParameter Query(string name, string description, JsonSchemaType type = JsonSchemaType.String) => new()
    {
        Name = name, In = ParameterLocation.Query, Required = false, Description = description,
        Schema = new OpenApiSchema { Type = type },
    };

    private static OpenApiHeader Header(string description) => new() { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };

    private static OpenApiResponse Problem(string description, OpenApiDocument? document) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(LedgerDocumentTransformer.ProblemSchema, document) },
        },
    };
}
