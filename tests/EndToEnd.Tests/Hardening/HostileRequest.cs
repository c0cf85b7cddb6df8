using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;

namespace Ledger.EndToEnd.Tests.Hardening;

/// <summary>How a body is broken. Every one makes any write's body invalid, so a hostile write can only be refused.</summary>
public enum BodyDamage { Truncated, WrongType, LoneSurrogate, Nul, LongString, OddNumber, DuplicateKey, UnknownField, NotJson }

/// <summary>
/// One hostile recipe, applied to every endpoint: what to accept, how to send the body, what to put in the route's
/// parameters and query, and how to break the body. Which value of the body gets broken is <see cref="Target"/>.
/// </summary>
public sealed record HostileRequest(
    string? Accept, string? ContentType, bool Authenticated, string? IdempotencyKey,
    string RouteValue, string Query, BodyDamage Damage, int Target, string Odd)
{
    public static readonly string?[] Accepts =
        ["application/json", "application/problem+json", "text/csv", "text/html", "*/*", "x/;;q=oops", "text/html;q=0.1, image/*", null];

    /// <summary>
    /// Route values: unknown ids, ids that are no ids, a lone surrogate, invalid UTF-8. A NUL (<c>%00</c>) in the path
    /// never reaches the app — the server's URL decoder refuses it, the in-memory one by throwing at the client — so it
    /// is sent in the query here and to a real Kestrel in <see cref="KestrelRejectionTests"/>.
    /// </summary>
    public static readonly string[] RouteValues =
        ["{seed}", "00000000-0000-0000-0000-000000000001", "x", "-1", "99999999999999999999999", "%ED%A0%80", "%FF%FE",
         "%F0%9F%92%A9", "..%2F..%2Fetc", new string('9', 3000), "1e400", "%20"];

    public static readonly string[] Queries =
        ["", "?limit=0", "?limit=-1", "?limit=99999999999999999999", "?limit=1e3", "?cursor=%00", "?customer_id=a%00b", "?cursor=%ED%A0%80", "?cursor=" + new string('A', 5000),
         "?min_position=x", "?from=2026-13-45&to=0000-00-00", "?as_of=%FF", "?status=%00", "?customer_id=%ED%A0%80", "?limit=5&limit=6",
         "?after=-1&position=99999999999999999999"];

    public static readonly string[] OddNumbers =
        ["1e400", "-1e400", "123456789012345678901234567890", "-0.0", "1.5", "1.0E+2", "4.9E-324", "-2147483649", "0.000000000000000000001"];

    public static Arbitrary<HostileRequest> Arbitrary()
    {
        var gen =
            from accept in Gen.Elements(Accepts)
            from contentType in Gen.Elements<string?>("application/json", "application/json", "application/json", "text/plain", "application/json; charset=utf-16", "x/;", null)
            from authenticated in Gen.Frequency((9, Gen.Constant(true)), (1, Gen.Constant(false)))
            from key in Gen.Elements<string?>(null, null, "k-" + Guid.NewGuid().ToString("N"), "ключ", new string('k', 300))
            from route in Gen.Elements(RouteValues)
            from query in Gen.Elements(Queries)
            from damage in Gen.Elements(Enum.GetValues<BodyDamage>())
            from target in Gen.Choose(0, 1000)
            from odd in Gen.Elements(OddNumbers)
            select new HostileRequest(accept, contentType, authenticated, key, route, query, damage, target, odd);
        return gen.ToArbitrary();
    }

    /// <summary>A valid body for the endpoint (or <c>{}</c>), broken as this recipe says.</summary>
    public string Break(string validBody)
    {
        var root = JsonNode.Parse(validBody)!;
        var values = Descendants(root).ToList();
        var picked = values[Target % values.Count];
        switch (Damage)
        {
            case BodyDamage.Truncated:
                var text = root.ToJsonString();
                return text[..(1 + Target % (text.Length - 1))];
            case BodyDamage.WrongType:
                Replace(picked, picked switch
                {
                    JsonObject => JsonValue.Create("an object was expected"),
                    JsonArray => new JsonObject(),
                    JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => new JsonArray(1, 2),
                    _ => JsonValue.Create("1"),
                });
                return root.ToJsonString();
            case BodyDamage.LoneSurrogate:
                Replace(StringOrSelf(values, picked), JsonValue.Create("__SURROGATE__"));
                return root.ToJsonString().Replace("\"__SURROGATE__\"", "\"\\ud800\"", StringComparison.Ordinal);
            case BodyDamage.Nul:
                Replace(StringOrSelf(values, picked), JsonValue.Create("a\0b"));
                return root.ToJsonString();
            case BodyDamage.LongString:
                Replace(picked, JsonValue.Create(new string('x', 70_000)));
                return root.ToJsonString();
            case BodyDamage.OddNumber:
                Replace(picked, JsonValue.Create("__ODD__"));
                return root.ToJsonString().Replace("\"__ODD__\"", Odd, StringComparison.Ordinal);
            case BodyDamage.DuplicateKey:
                var compact = root.ToJsonString();
                return root is JsonObject { Count: > 0 } o
                    ? "{" + new JsonObject { [o.First().Key] = o.First().Value?.DeepClone() }.ToJsonString()[1..^1] + "," + compact[1..]
                    : "{\"a\":1,\"a\":2}";
            case BodyDamage.UnknownField:
                if (root is JsonObject obj) obj["zz_unknown"] = 1;
                return root.ToJsonString();
            default:
                return (Target % 6) switch
                {
                    0 => "null", 1 => "[]", 2 => "\"text\"", 3 => "<order/>", 4 => "\0\0\0", _ => "{\"a\":" + new string('[', 2000),
                };
        }
    }

    public override string ToString() =>
        $"Accept={Accept ?? "(none)"} ContentType={ContentType ?? "(none)"} auth={Authenticated} key={Shorten(IdempotencyKey)} route={Shorten(RouteValue)} query={Shorten(Query)} damage={Damage}#{Target} odd={Odd}";

    private static string Shorten(string? s) => s is null ? "(none)" : s.Length > 40 ? s[..40] + "…" : s;

    // Every node below the root: the values a damage can land on.
    private static IEnumerable<JsonNode> Descendants(JsonNode root)
    {
        var stack = new Stack<JsonNode>();
        stack.Push(root);
        var any = false;
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            var children = node switch
            {
                JsonObject o => o.Select(p => p.Value),
                JsonArray a => a.AsEnumerable(),
                _ => [],
            };
            foreach (var child in children.OfType<JsonNode>())
            {
                any = true;
                stack.Push(child);
                yield return child;
            }
        }
        if (!any) yield return root;
    }

    private static JsonNode StringOrSelf(List<JsonNode> values, JsonNode picked) =>
        picked is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String
            ? picked
            : values.FirstOrDefault(n => n is JsonValue s && s.GetValueKind() == System.Text.Json.JsonValueKind.String) ?? picked;

    private static void Replace(JsonNode node, JsonNode replacement)
    {
        switch (node.Parent)
        {
            case JsonObject parent:
                parent[node.GetPropertyName()] = replacement;
                break;
            case JsonArray array:
                array[node.GetElementIndex()] = replacement;
                break;
            default:
                // The root itself ({}): the damage goes into a field of its own, which the strict reader refuses anyway.
                if (node is JsonObject root) root["zz_damaged"] = replacement;
                break;
        }
    }
}
