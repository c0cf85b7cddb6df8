using System.Text.Json.Nodes;
using Ledger.Application.Integration;
using Ledger.Application.Payments;
using Ledger.Messaging.Tests.Infrastructure;
using Ledger.Schemas;

namespace Ledger.Messaging.Tests.Contracts;

/// <summary>
/// The breaking-change guard (schemas/SchemaGuard.cs, run by the build of src/Messaging): the committed schemas
/// pass it, and every kind of incompatible edit to a released v1 fails it while additive optional ones pass.
/// Edits are made to copies in a temporary folder, never to the repository's files.
/// </summary>
public sealed class SchemaGuardTests : IDisposable
{
    private const string Contract = "commerce.order.paid.v1.json";
    private readonly string copy = Path.Combine(Path.GetTempPath(), "ledger-schemas-" + Guid.NewGuid().ToString("N"));

    public SchemaGuardTests()
    {
        Directory.CreateDirectory(Path.Combine(copy, SchemaGuard.ReleasedFolder));
        foreach (var file in Directory.GetFiles(SchemaFiles.Directory, "*.json"))
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        foreach (var file in Directory.GetFiles(Path.Combine(SchemaFiles.Directory, SchemaGuard.ReleasedFolder), "*.json"))
            File.Copy(file, Path.Combine(copy, SchemaGuard.ReleasedFolder, Path.GetFileName(file)));
    }

    [Fact]
    public void The_committed_schemas_are_compatible_with_their_released_versions() =>
        SchemaGuard.CheckDirectory(SchemaFiles.Directory).ShouldBeEmpty();

    [Fact]
    public void Every_contract_Ledger_publishes_or_consumes_is_released() =>
        IntegrationCatalogue.PublishedTypes.Concat(Ledger.Messaging.Witnesses.WitnessedCheckpoint.PublishedTypes).Concat(PaymentMessages.ConsumedTypes)
            .ShouldAllBe(type => SchemaGuard.IsReleased(SchemaFiles.Directory, type));

    public static TheoryData<string, string> BreakingEdits => new()
    {
        { "a property removed", "remove payload.payment_reference" },
        { "a property renamed", "rename payload.paid_at paid_on" },
        { "a property newly required", "require payload.note" },
        { "a type changed", "type payload.amount number" },
        { "an enum narrowed", "enum event_version 2" },
        { "additionalProperties tightened", "close payload" },
        { "a pattern changed", "pattern payload.amount ^[0-9]+$" },
        { "a maximum length lowered", "maxLength payload.payment_reference 20" },
    };

    [Theory]
    [MemberData(nameof(BreakingEdits))]
    public void A_breaking_edit_of_a_released_v1_fails_the_guard(string what, string edit)
    {
        Edit(edit);
        var problems = SchemaGuard.CheckDirectory(copy);
        problems.ShouldNotBeEmpty(what);
        problems.ShouldAllBe(p => p.File == Contract);
    }

    [Fact]
    public void Additive_optional_changes_pass()
    {
        Edit("add payload.settlement_note");
        Edit("describe payload.amount");
        Edit("type payload.payment_reference string,null");
        SchemaGuard.CheckDirectory(copy).ShouldBeEmpty();
    }

    [Fact]
    public void A_deleted_released_contract_fails_the_guard_and_a_draft_is_free_to_change()
    {
        File.Delete(Path.Combine(copy, Contract));
        File.Copy(Path.Combine(copy, "commerce.order.fulfilled.v1.json"), Path.Combine(copy, "commerce.order.fulfilled.v2.json"));
        var problems = SchemaGuard.CheckDirectory(copy);
        problems.ShouldHaveSingleItem().File.ShouldBe(Path.Combine(SchemaGuard.ReleasedFolder, Contract));
        problems[0].Message.ShouldContain("deleted");
        SchemaGuard.Unreleased(copy).ShouldContain("commerce.order.fulfilled.v2.json");
    }

    /// <summary>Applies one edit to the copy of commerce.order.paid.v1.json: "verb path [argument]".</summary>
    private void Edit(string edit)
    {
        var path = Path.Combine(copy, Contract);
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var parts = edit.Split(' ');
        var (verb, target, argument) = (parts[0], parts[1].Split('.'), parts.Length > 2 ? parts[2] : null);
        var parent = target[..^1].Aggregate((JsonObject)root, (node, name) => node["properties"]![name]!.AsObject());
        var name = target[^1];
        var property = parent["properties"]?[name]?.AsObject();
        switch (verb)
        {
            case "remove": parent["properties"]!.AsObject().Remove(name); break;
            case "rename":
                parent["properties"]!.AsObject().Remove(name);
                parent["properties"]![argument!] = property;
                break;
            case "require":
                parent["properties"]![name] = new JsonObject { ["type"] = "string" };
                parent["required"]!.AsArray().Add(name);
                break;
            case "add": parent["properties"]![name] = new JsonObject { ["type"] = "string" }; break;
            case "type": property!["type"] = argument!.Contains(',', StringComparison.Ordinal) ? new JsonArray([.. argument.Split(',').Select(t => JsonValue.Create(t))]) : argument; break;
            case "enum": property!["enum"] = new JsonArray(JsonValue.Create(int.Parse(argument!, System.Globalization.CultureInfo.InvariantCulture))); break;
            case "close":
                // Released open (extra properties allowed), now closed.
                property!.Remove("additionalProperties");
                File.WriteAllText(Path.Combine(copy, SchemaGuard.ReleasedFolder, Contract), root.ToJsonString());
                property["additionalProperties"] = false;
                break;
            case "pattern": property!["pattern"] = argument; break;
            case "maxLength": property!["maxLength"] = int.Parse(argument!, System.Globalization.CultureInfo.InvariantCulture); break;
            case "describe": property!["description"] = "changed wording"; break;
            default: throw new ArgumentException(edit);
        }
        File.WriteAllText(path, root.ToJsonString());
    }

    public void Dispose()
    {
        if (Directory.Exists(copy)) Directory.Delete(copy, recursive: true);
    }
}
