using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json.Nodes;
using Ledger.EndToEnd.Tests.Infrastructure;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Ledger.EndToEnd.Tests.Hardening;

/// <summary>
/// <c>/openapi/v1.json</c> is a valid OpenAPI 3 document that describes every endpoint with its id, summary, errors and security,
/// and it is the document committed as <c>schemas/openapi.json</c>. <c>make openapi</c> rewrites the committed copy
/// (it runs <see cref="The_committed_document_is_the_served_one"/> with LEDGER_WRITE_OPENAPI=1).
/// </summary>
public sealed class OpenApiDocumentTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    public const string WriteVariable = "LEDGER_WRITE_OPENAPI";

    private async Task<string> Served()
    {
        using var response = await app.Client().GetAsync("/openapi/v1.json");
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/json");
        return text;
    }

    [Fact]
    public async Task The_committed_document_is_the_served_one()
    {
        var served = await Served();
        var committedPath = Path.Combine(RepositoryRoot(), "schemas", "openapi.json");
        if (Environment.GetEnvironmentVariable(WriteVariable) == "1")
        {
            await File.WriteAllTextAsync(committedPath, JsonNode.Parse(served)!.ToJsonString(new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
            return;
        }

        File.Exists(committedPath).ShouldBeTrue($"{committedPath} is missing. Regenerate it with `make openapi` and commit it.");
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(committedPath));
        var differences = Differences(committed, JsonNode.Parse(served), "$").Take(10).ToList();
        differences.ShouldBeEmpty(
            "schemas/openapi.json differs from what the Host serves at /openapi/v1.json. If the API change is intended, "
            + "regenerate the file with `make openapi` (from the repository root), review the diff and commit it. First differences:\n  "
            + string.Join("\n  ", differences));
    }

    [Fact]
    public async Task The_document_is_valid_OpenAPI_3()
    {
        var text = await Served();
        var node = JsonNode.Parse(text)!;
        node["openapi"]!.GetValue<string>().ShouldStartWith("3.");

        var (document, diagnostic) = OpenApiDocument.Parse(text, "json", new OpenApiReaderSettings());

        diagnostic.ShouldNotBeNull();
        diagnostic.Errors.ShouldBeEmpty(string.Join("\n", diagnostic.Errors.Select(e => $"{e.Pointer}: {e.Message}")));
        document.ShouldNotBeNull();
        var errors = document.Validate(ValidationRuleSet.GetDefaultRuleSet())?.ToList() ?? [];
        errors.ShouldBeEmpty(string.Join("\n", errors.Select(e => $"{e.Pointer}: {e.Message}")));
    }

    [Fact]
    public async Task Every_operation_has_an_id_responses_problems_and_its_security()
    {
        var document = JsonNode.Parse(await Served())!;
        var scheme = document["components"]!["securitySchemes"]!["bearer"]!;
        scheme["type"]!.GetValue<string>().ShouldBe("http");
        scheme["scheme"]!.GetValue<string>().ShouldBe("bearer");
        scheme["bearerFormat"]!.GetValue<string>().ShouldBe("JWT");
        document["components"]!["schemas"]!["Problem"]!["required"]!.AsArray().Select(r => r!.GetValue<string>()).ShouldContain("code");
        // One server, relative: the document works on any host that serves it and never depends on which one did.
        var server = document["servers"]!.AsArray().ShouldHaveSingleItem()!;
        server["url"]!.GetValue<string>().ShouldBe("/");
        foreach (var tag in document["tags"]!.AsArray())
            tag!["description"]?.GetValue<string>().ShouldNotBeNullOrWhiteSpace($"tag {tag["name"]} has no description");

        var paths = document["paths"]!.AsObject();
        paths.Select(p => p.Key).ShouldContain("/api/orders");
        paths.Select(p => p.Key).ShouldContain("/api/orders/{id}/payments");
        paths.Select(p => p.Key).ShouldContain("/health/ready");
        // /metrics is OpenTelemetry's Prometheus exporter, a scrape target rather than an API: see README "Metrics".
        paths.Select(p => p.Key).ShouldNotContain("/metrics");
        var operationIds = new HashSet<string>(StringComparer.Ordinal);
        var anonymous = new List<string>();
        foreach (var (path, item) in paths)
        {
            foreach (var (method, operation) in item!.AsObject().Where(o => o.Key is "get" or "post" or "put" or "patch" or "delete"))
            {
                var where = $"{method.ToUpperInvariant()} {path}";
                // A client generator names its method after the operationId: present, readable, unique.
                var id = operation!["operationId"]?.GetValue<string>();
                id.ShouldNotBeNull($"{where} has no operationId");
                id.ShouldMatch("^[a-z][a-zA-Z]+$", $"{where}: operationId {id} is not camelCase");
                operationIds.Add(id).ShouldBeTrue($"{where}: operationId {id} is used twice");
                operation["summary"]?.GetValue<string>().ShouldNotBeNullOrWhiteSpace($"{where} has no summary");

                // Security is always said: the bearer scheme, or an empty requirement for an anonymous operation.
                var security = operation["security"]?.AsArray();
                security.ShouldNotBeNull($"{where} leaves its security undefined");
                var bearer = security.Any(s => s!.AsObject().ContainsKey("bearer"));
                if (security.Any(s => s!.AsObject().Count == 0)) anonymous.Add(where);

                var responses = operation["responses"]!.AsObject();
                responses.Any(r => r.Key.StartsWith('2')).ShouldBeTrue($"{where} has no success response");
                if (path.StartsWith("/health", StringComparison.Ordinal)) continue;
                responses.Any(r => r.Key[0] == '4').ShouldBeTrue($"{where} documents no 4xx");
                responses.ContainsKey("500").ShouldBeTrue($"{where} does not document 500");
                if (path.StartsWith("/api/", StringComparison.Ordinal))
                    responses["503"]?["headers"]?["Retry-After"].ShouldNotBeNull($"{where} does not document 503 service.unavailable with Retry-After");
                foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5'))
                    response!["content"]?["application/problem+json"]?["schema"]?["$ref"]?.GetValue<string>()
                        .ShouldBe("#/components/schemas/Problem", $"{where} {status} is not a Problem");
                if (bearer)
                {
                    responses.ContainsKey("401").ShouldBeTrue($"{where} does not document 401");
                    responses.ContainsKey("403").ShouldBeTrue($"{where} does not document 403");
                }
                if (method == "post" && path.StartsWith("/api/orders", StringComparison.Ordinal))
                {
                    operation["requestBody"].ShouldNotBeNull($"{where} has no request body");
                    operation["parameters"]!.AsArray().ShouldContain(p => p!["name"]!.GetValue<string>() == "Idempotency-Key", where);
                    responses.ContainsKey("422").ShouldBeTrue($"{where} does not document 422");
                    responses["429"]!["headers"]!["Retry-After"].ShouldNotBeNull(where);
                }
            }
        }
        // Only what a caller without a token may read: the probes and the public signing keys.
        anonymous.Order(StringComparer.Ordinal).ShouldBe(["GET /api/ledger/jwks", "GET /health/live", "GET /health/ready"]);
        var create = paths["/api/orders"]!["post"]!;
        create["operationId"]!.GetValue<string>().ShouldBe("createOrder");
        paths["/api/orders/{id}"]!["get"]!["operationId"]!.GetValue<string>().ShouldBe("getOrder");
        create["security"]!.AsArray().ShouldContain(s => s!.AsObject().ContainsKey("bearer"));
        var body = create["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>();
        var schema = document["components"]!["schemas"]![body.Split('/')[^1]]!;
        schema["properties"]!.AsObject().Select(p => p.Key).ShouldContain("customer_id");
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ledger.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Ledger.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Where two JSON documents differ, as JSON paths (object member order is ignored).</summary>
    private static IEnumerable<string> Differences(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected, actual)
        {
            case (null, null):
                yield break;
            case (JsonObject e, JsonObject a):
                foreach (var (key, value) in e)
                {
                    if (!a.ContainsKey(key)) yield return $"{path}.{key}: in the committed file, not served";
                    else foreach (var d in Differences(value, a[key], $"{path}.{key}")) yield return d;
                }
                foreach (var (key, _) in a)
                    if (!e.ContainsKey(key)) yield return $"{path}.{key}: served, not in the committed file";
                yield break;
            case (JsonArray e, JsonArray a):
                if (e.Count != a.Count) yield return $"{path}: {e.Count} items committed, {a.Count} served";
                for (var i = 0; i < Math.Min(e.Count, a.Count); i++)
                    foreach (var d in Differences(e[i], a[i], $"{path}[{i}]")) yield return d;
                yield break;
            default:
                if (!JsonNode.DeepEquals(expected, actual))
                    yield return $"{path}: committed {expected?.ToJsonString() ?? "null"}, served {actual?.ToJsonString() ?? "null"}";
                yield break;
        }
    }
}
