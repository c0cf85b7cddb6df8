using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ledger.Application.Invoicing;
using Ledger.Application.Invoicing.Integration;
using Ledger.Application.Invoicing.Stamping;
using Ledger.Domain.Invoicing;
using Ledger.EventStore;

namespace Ledger.Application.Tests.Invoicing;

/// <summary>
/// Every fiscal event the relay may publish, made by the real handlers, fits its contract in schemas/ (in an envelope
/// as the relay wraps it), and carries no personal data. The schema check here covers the keywords the contracts use.
/// </summary>
public sealed class PublicationContractTests : IAsyncLifetime
{
    private InvoicingTestBed bed = null!;

    public async Task InitializeAsync() => bed = await InvoicingTestBed.CreateAsync();

    public async Task DisposeAsync() => await bed.DisposeAsync();

    [Fact]
    public async Task Every_published_fiscal_event_fits_its_schema()
    {
        var stamped = await bed.Issuer.IssueAsync(bed.Context(), InvoicingTestBed.Request(taxId: InvoicingTestBed.SpanishCompany));
        var sealedOne = await bed.Issuer.IssueAsync(bed.Context(), InvoicingTestBed.Request(currency: "USD", rate: 0.9234m));
        var rejected = await bed.Issuer.IssueAsync(bed.Context(), InvoicingTestBed.Request());
        var stamper = bed.NewStamper();
        await stamper.AttemptAsync(bed.Tenant, stamped.DocumentId, DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);
        bed.Authority.GoDown();
        await stamper.AttemptAsync(bed.Tenant, sealedOne.DocumentId, DateTimeOffset.UtcNow, CancellationToken.None);
        bed.Authority.RejectPermanently("CFDI40145", "Not registered");
        await stamper.AttemptAsync(bed.Tenant, rejected.DocumentId, DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);
        var note = await bed.CreditNotes.IssueAsync(bed.Context(), new IssueCreditNoteRequest(Guid.CreateVersion7(), stamped.DocumentId, null,
            [new CreditedLine(1, 1m)], "return"));

        var recorded = new List<RecordedEvent>();
        foreach (var id in new[] { stamped.DocumentId, sealedOne.DocumentId, rejected.DocumentId })
            recorded.AddRange(await bed.Stream(InvoiceStreams.Invoice(id)));
        recorded.AddRange(await bed.Stream(InvoiceStreams.CreditNote(note.DocumentId)));

        var publications = InvoicingPublications.All.ToDictionary(p => (p.StoredType, p.StoredVersion));
        recorded.Select(r => r.EventType).Distinct().Order().ShouldBe(publications.Keys.Select(k => k.StoredType).Distinct().Order());
        foreach (var e in recorded)
        {
            var publication = publications[(e.EventType, e.TypeVersion)];
            var payload = publication.Payload(e);
            payload.TryGetProperty("personal", out _).ShouldBeFalse(e.EventType);
            var envelope = new JsonObject
            {
                ["event_id"] = e.EventId.ToString("D"), ["event_name"] = publication.Name, ["event_version"] = publication.Version,
                ["occurred_at"] = e.OccurredAt.ToString("O"), ["tenant_id"] = e.TenantId, ["correlation_id"] = e.Metadata.CorrelationId,
                ["causation_id"] = e.Metadata.CausationId, ["trace_id"] = null, ["producer"] = "ledger", ["actor"] = e.Metadata.Actor,
                ["payload"] = JsonNode.Parse(payload.GetRawText()),
            };
            var schema = JsonNode.Parse(await File.ReadAllTextAsync(SchemaFile(publication.MessageType)))!;
            Violations(schema, envelope, "$").ShouldBeEmpty($"{publication.MessageType}: {envelope.ToJsonString()}");
        }
        var published = publications.Keys.Select(k => k.StoredType).ToHashSet();
        InvoicingPublications.StoredTypes.ShouldAllBe(t => published.Contains(t) || InvoicingPublications.Internal.Contains(t));
    }

    private static string SchemaFile(string messageType)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ledger.sln"))) return Path.Combine(dir.FullName, "schemas", messageType + ".json");
        throw new DirectoryNotFoundException("Ledger.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>What in <paramref name="value"/> the schema refuses: type, enum, pattern, lengths, minimum, required and extra properties, items.</summary>
    private static IEnumerable<string> Violations(JsonNode schema, JsonNode? value, string path)
    {
        if (schema["type"] is { } type)
        {
            var allowed = type is JsonArray many ? many.Select(t => t!.GetValue<string>()).ToList() : [type.GetValue<string>()];
            if (!allowed.Contains(TypeOf(value))) { yield return $"{path}: {TypeOf(value)} is not {string.Join("|", allowed)}"; yield break; }
        }
        if (schema["enum"] is JsonArray options && !options.Any(o => JsonNode.DeepEquals(o, value)))
            yield return $"{path}: {value?.ToJsonString()} is not one of {options.ToJsonString()}";
        if (value is JsonValue v && v.TryGetValue<string>(out var text))
        {
            if (schema["pattern"] is { } pattern && !Regex.IsMatch(text, pattern.GetValue<string>())) yield return $"{path}: '{text}' does not match {pattern}";
            if (schema["minLength"] is { } min && text.Length < min.GetValue<int>()) yield return $"{path}: too short";
            if (schema["maxLength"] is { } max && text.Length > max.GetValue<int>()) yield return $"{path}: too long";
        }
        if (value is JsonValue n && TypeOf(value) == "integer" && schema["minimum"] is { } minimum && n.GetValue<long>() < minimum.GetValue<long>())
            yield return $"{path}: below {minimum}";
        if (value is JsonObject obj)
        {
            var properties = schema["properties"]?.AsObject();
            foreach (var required in schema["required"]?.AsArray() ?? [])
                if (!obj.ContainsKey(required!.GetValue<string>())) yield return $"{path}: {required} is required";
            foreach (var (key, member) in obj)
            {
                if (properties?[key] is { } sub) foreach (var d in Violations(sub, member, $"{path}.{key}")) yield return d;
                else if (schema["additionalProperties"]?.GetValue<bool>() == false) yield return $"{path}.{key} is not allowed";
            }
        }
        if (value is JsonArray array && schema["items"] is { } items)
        {
            if (schema["minItems"] is { } minItems && array.Count < minItems.GetValue<int>()) yield return $"{path}: too few items";
            for (var i = 0; i < array.Count; i++) foreach (var d in Violations(items, array[i], $"{path}[{i}]")) yield return d;
        }
    }

    private static string TypeOf(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        _ => value.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => value.ToJsonString().Contains('.', StringComparison.Ordinal) ? "number" : "integer",
            _ => "null",
        },
    };
}
