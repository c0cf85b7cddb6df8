// The breaking-change guard for integration-event contracts.
//
//   dotnet run --file schemas/SchemaGuard.cs -- schemas
//
// The contracts are the files named name.vN.json (openapi.json beside them is the HTTP API's contract,
// checked by its own test in tests/EndToEnd.Tests/Hardening). A contract is released by copying it to
// schemas/published/ (a snapshot); Ledger releases a contract when it starts publishing or consuming it
// (a test checks every type in the catalogue and every consumed type is released). A released contract
// never changes incompatibly: the current file must accept every message the snapshot accepted, and keep
// every property it promised. Additive optional changes pass; anything else is reported and the exit
// code is 1 (the build of src/Messaging runs this, see SchemaGuard.targets). A contract not released yet
// (a draft) is only noted. A new shape of a released contract is a new file, name.v2.json.
//
// The test project compiles this same file as a library (SCHEMA_GUARD_LIBRARY), so the rules the build
// enforces are the rules the tests prove.
#if !SCHEMA_GUARD_LIBRARY
var directory = args.Length > 0 ? args[0] : ".";
var problems = Ledger.Schemas.SchemaGuard.CheckDirectory(directory);
foreach (var draft in Ledger.Schemas.SchemaGuard.Unreleased(directory))
    Console.WriteLine($"schema guard: note: {draft} is not released yet (copy it to {Ledger.Schemas.SchemaGuard.ReleasedFolder}/ once Ledger publishes or consumes it)");
foreach (var problem in problems)
    Console.Error.WriteLine($"{Path.GetFullPath(Path.Combine(directory, problem.File))}: error LEDGER001: {problem.Message}");
if (problems.Count == 0)
    Console.WriteLine($"schema guard: every released contract in {Path.GetFullPath(directory)} is compatible");
return problems.Count == 0 ? 0 : 1;
#endif

namespace Ledger.Schemas
{
    using System.Text.Json;

    /// <summary>One incompatibility: the schema file and what changed where.</summary>
    public sealed record SchemaProblem(string File, string Message);

    /// <summary>Compares a released schema with its current version, keyword by keyword.</summary>
    public static class SchemaGuard
    {
        public const string ReleasedFolder = "published";

        // Keywords that document and never change what validates.
        private static readonly HashSet<string> Annotations = new(StringComparer.Ordinal)
        {
            "title", "description", "$comment", "examples", "default", "$schema", "$id", "deprecated", "readOnly", "writeOnly",
        };

        // Keywords compared structurally below; any other keyword that changes is reported, since
        // compatibility cannot be shown for it.
        private static readonly HashSet<string> Compared = new(StringComparer.Ordinal)
        {
            "type", "properties", "required", "enum", "const", "additionalProperties", "items",
            "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems",
        };

        /// <summary>Every incompatibility between the released snapshots and the current contracts.</summary>
        public static IReadOnlyList<SchemaProblem> CheckDirectory(string schemasDirectory)
        {
            var problems = new List<SchemaProblem>();
            var released = Path.Combine(schemasDirectory, ReleasedFolder);
            var current = Contracts(schemasDirectory);
            var snapshots = Contracts(released);

            foreach (var name in snapshots.Order(StringComparer.Ordinal))
            {
                if (!current.Contains(name))
                {
                    problems.Add(new(Path.Combine(ReleasedFolder, name), "a released contract was deleted; keep it (publish a new version beside it)"));
                    continue;
                }
                problems.AddRange(Compare(File.ReadAllText(Path.Combine(released, name)), File.ReadAllText(Path.Combine(schemasDirectory, name)))
                    .Select(message => new SchemaProblem(name, message)));
            }
            return problems;
        }

        /// <summary>Contracts with no released snapshot (drafts: free to change until released).</summary>
        public static IReadOnlyList<string> Unreleased(string schemasDirectory) =>
            [.. Contracts(schemasDirectory).Except(Contracts(Path.Combine(schemasDirectory, ReleasedFolder))).Order(StringComparer.Ordinal)];

        /// <summary>Whether <paramref name="messageType"/> (<c>name.vN</c>) has a released snapshot.</summary>
        public static bool IsReleased(string schemasDirectory, string messageType) =>
            File.Exists(Path.Combine(schemasDirectory, ReleasedFolder, messageType + ".json"));

        /// <summary>The contract files of a folder: <c>name.vN.json</c>.</summary>
        public static HashSet<string> Contracts(string directory) => Directory.Exists(directory)
            ? Directory.GetFiles(directory, "*.json").Select(Path.GetFileName).OfType<string>()
                .Where(n => System.Text.RegularExpressions.Regex.IsMatch(n, @"^[a-z0-9_.\-]+\.v[1-9][0-9]*\.json$")).ToHashSet(StringComparer.Ordinal)
            : [];

        /// <summary>What makes <paramref name="currentJson"/> incompatible with <paramref name="releasedJson"/>; empty when compatible.</summary>
        public static IReadOnlyList<string> Compare(string releasedJson, string currentJson)
        {
            using var released = JsonDocument.Parse(releasedJson);
            using var current = JsonDocument.Parse(currentJson);
            var problems = new List<string>();
            CompareSchema(released.RootElement, current.RootElement, "$", problems);
            return problems;
        }

        private static void CompareSchema(JsonElement old, JsonElement now, string path, List<string> problems)
        {
            if (old.ValueKind == JsonValueKind.True || (old.ValueKind == JsonValueKind.Object && !old.EnumerateObject().Any()))
            {
                if (!AcceptsAnything(now)) problems.Add($"{path}: a schema that accepted anything now restricts values");
                return;
            }
            if (old.ValueKind != JsonValueKind.Object || now.ValueKind != JsonValueKind.Object)
            {
                if (!JsonElement.DeepEquals(old, now)) problems.Add($"{path}: the schema changed");
                return;
            }

            CompareTypes(old, now, path, problems);
            CompareProperties(old, now, path, problems);
            CompareRequired(old, now, path, problems);
            CompareValues(old, now, "enum", path, problems);
            CompareConst(old, now, path, problems);
            CompareAdditionalProperties(old, now, path, problems);
            if (old.TryGetProperty("items", out var oldItems))
            {
                if (now.TryGetProperty("items", out var newItems)) CompareSchema(oldItems, newItems, path + ".items", problems);
            }
            else if (now.TryGetProperty("items", out var added) && !AcceptsAnything(added))
            {
                problems.Add($"{path}: items are now restricted");
            }

            CompareBound(old, now, "minLength", path, problems, tighterWhenLarger: true);
            CompareBound(old, now, "maxLength", path, problems, tighterWhenLarger: false);
            CompareBound(old, now, "minimum", path, problems, tighterWhenLarger: true);
            CompareBound(old, now, "maximum", path, problems, tighterWhenLarger: false);
            CompareBound(old, now, "exclusiveMinimum", path, problems, tighterWhenLarger: true);
            CompareBound(old, now, "exclusiveMaximum", path, problems, tighterWhenLarger: false);
            CompareBound(old, now, "minItems", path, problems, tighterWhenLarger: true);
            CompareBound(old, now, "maxItems", path, problems, tighterWhenLarger: false);

            // Everything else (pattern, format, oneOf, $ref, …) must stay exactly as released.
            var keywords = old.EnumerateObject().Select(p => p.Name).Concat(now.EnumerateObject().Select(p => p.Name))
                .Where(k => !Annotations.Contains(k) && !Compared.Contains(k)).Distinct(StringComparer.Ordinal);
            foreach (var keyword in keywords.Order(StringComparer.Ordinal))
            {
                var inOld = old.TryGetProperty(keyword, out var o);
                var inNew = now.TryGetProperty(keyword, out var n);
                if (inOld && !inNew) continue; // a constraint dropped: the schema accepts more
                if (!inOld || !JsonElement.DeepEquals(o, n))
                    problems.Add($"{path}: '{keyword}' {(inOld ? "changed" : "was added")}; a released contract keeps its constraints");
            }
        }

        private static void CompareTypes(JsonElement old, JsonElement now, string path, List<string> problems)
        {
            if (!now.TryGetProperty("type", out var newType)) return; // no type: any type is accepted
            if (!old.TryGetProperty("type", out var oldType))
            {
                problems.Add($"{path}: a type was imposed ({newType.GetRawText()})");
                return;
            }
            var missing = Types(oldType).Except(Types(newType)).ToList();
            // "number" accepts every "integer".
            missing.RemoveAll(t => t == "integer" && Types(newType).Contains("number"));
            if (missing.Count > 0)
                problems.Add($"{path}: type changed from {oldType.GetRawText()} to {newType.GetRawText()}");
        }

        private static void CompareProperties(JsonElement old, JsonElement now, string path, List<string> problems)
        {
            if (!old.TryGetProperty("properties", out var oldProperties)) return;
            now.TryGetProperty("properties", out var newProperties);
            foreach (var property in oldProperties.EnumerateObject())
            {
                if (newProperties.ValueKind != JsonValueKind.Object || !newProperties.TryGetProperty(property.Name, out var newProperty))
                    problems.Add($"{path}.{property.Name}: property removed or renamed");
                else
                    CompareSchema(property.Value, newProperty, $"{path}.{property.Name}", problems);
            }
        }

        private static void CompareRequired(JsonElement old, JsonElement now, string path, List<string> problems)
        {
            var before = Strings(old, "required");
            foreach (var name in Strings(now, "required").Except(before).Order(StringComparer.Ordinal))
                problems.Add($"{path}.{name}: newly required");
        }

        private static void CompareValues(JsonElement old, JsonElement now, string keyword, string path, List<string> problems)
        {
            if (!now.TryGetProperty(keyword, out var newValues)) return;
            if (!old.TryGetProperty(keyword, out var oldValues))
            {
                problems.Add($"{path}: '{keyword}' now restricts the values");
                return;
            }
            foreach (var value in oldValues.EnumerateArray())
                if (!newValues.EnumerateArray().Any(v => JsonElement.DeepEquals(v, value)))
                    problems.Add($"{path}: {keyword} narrowed, {value.GetRawText()} is no longer allowed");
        }

        private static void CompareConst(JsonElement old, JsonElement now, string path, List<string> problems)
        {
            if (!now.TryGetProperty("const", out var newConst)) return;
            if (!old.TryGetProperty("const", out var oldConst) || !JsonElement.DeepEquals(oldConst, newConst))
                problems.Add($"{path}: const changed or added");
        }

        private static void CompareAdditionalProperties(JsonElement old, JsonElement now, string path, List<string> problems)
        {
            var oldAllows = !old.TryGetProperty("additionalProperties", out var o) || o.ValueKind != JsonValueKind.False;
            var newAllows = !now.TryGetProperty("additionalProperties", out var n) || n.ValueKind != JsonValueKind.False;
            if (oldAllows && !newAllows)
                problems.Add($"{path}: additionalProperties tightened to false");
            else if (o.ValueKind == JsonValueKind.Object && n.ValueKind == JsonValueKind.Object)
                CompareSchema(o, n, path + ".additionalProperties", problems);
            else if (oldAllows && n.ValueKind == JsonValueKind.Object && !AcceptsAnything(n))
                problems.Add($"{path}: additionalProperties now restricted");
        }

        private static void CompareBound(JsonElement old, JsonElement now, string keyword, string path, List<string> problems, bool tighterWhenLarger)
        {
            if (!now.TryGetProperty(keyword, out var newBound) || newBound.ValueKind != JsonValueKind.Number) return;
            if (!old.TryGetProperty(keyword, out var oldBound) || oldBound.ValueKind != JsonValueKind.Number)
            {
                problems.Add($"{path}: {keyword} added");
                return;
            }
            var tighter = tighterWhenLarger ? newBound.GetDecimal() > oldBound.GetDecimal() : newBound.GetDecimal() < oldBound.GetDecimal();
            if (tighter) problems.Add($"{path}: {keyword} tightened from {oldBound.GetRawText()} to {newBound.GetRawText()}");
        }

        private static bool AcceptsAnything(JsonElement schema) =>
            schema.ValueKind == JsonValueKind.True
            || (schema.ValueKind == JsonValueKind.Object && schema.EnumerateObject().All(p => Annotations.Contains(p.Name)));

        private static HashSet<string> Types(JsonElement type) => type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Select(t => t.GetString() ?? "").ToHashSet(StringComparer.Ordinal)
            : [type.GetString() ?? ""];

        private static HashSet<string> Strings(JsonElement schema, string keyword) =>
            schema.TryGetProperty(keyword, out var values) && values.ValueKind == JsonValueKind.Array
                ? values.EnumerateArray().Select(v => v.GetString() ?? "").ToHashSet(StringComparer.Ordinal)
                : [];
    }
}
