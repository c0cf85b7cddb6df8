using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ledger.EventStore.Canonical;

namespace Ledger.EventStore.Tests.Canonical;

/// <summary>
/// Properties checked over many pseudo-random values. The seeds are fixed so that a failure reproduces.
/// </summary>
public partial class CanonicalPropertyTests
{
    private const int Seed = 8785;

    // The shape ECMAScript gives a finite number: no leading zeros, no trailing fraction zeros, lowercase
    // exponent with an explicit sign.
    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?(e[+-][1-9][0-9]*)?$")]
    private static partial Regex EcmaScriptNumberShape();

    [Fact]
    public void Formatted_numbers_parse_back_to_the_same_double()
    {
        foreach (var value in RandomDoubles(new Random(Seed), 200_000))
        {
            var text = JsonCanonicalizer.FormatNumber(value);

            var parsed = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            parsed.ShouldBe(value == 0 ? 0.0 : value, $"{text} does not round-trip to {value:R}");
            EcmaScriptNumberShape().IsMatch(text).ShouldBeTrue($"{text} ({value:R}) is not ECMAScript number text");

            // ECMA-262 writes |x| in [1e-6, 1e21) without an exponent and everything else with one
            // (0.000001 but 1e-7 and 5e-7; 999999999999999900000 but 1e+21).
            var magnitude = Math.Abs(value);
            var plain = magnitude == 0 || (magnitude >= 1e-6 && magnitude < 1e21);
            text.Contains('e').ShouldBe(!plain, $"{text} ({value:R}) uses the wrong notation");
        }
    }

    [Fact]
    public void Formatted_numbers_use_the_shortest_round_tripping_digits()
    {
        foreach (var value in RandomDoubles(new Random(Seed + 1), 50_000).Where(v => v != 0))
        {
            var text = JsonCanonicalizer.FormatNumber(value);
            var digits = SignificantDigits(text);

            // One digit fewer, rounded either way, must land on a different double.
            if (digits.Length > 1)
            {
                var shorter = Math.Abs(value).ToString("E" + (digits.Length - 2), CultureInfo.InvariantCulture);
                double.Parse(shorter, CultureInfo.InvariantCulture).ShouldNotBe(Math.Abs(value), $"{text} is not the shortest form");
            }
        }
    }

    [Fact]
    public void Canonical_number_text_is_a_fixed_point()
    {
        foreach (var value in RandomDoubles(new Random(Seed + 2), 50_000))
        {
            var text = JsonCanonicalizer.FormatNumber(value);
            var utf8 = Encoding.UTF8.GetBytes(text);

            JsonCanonicalizer.Canonicalize(utf8).ShouldBe(utf8);

            // Other spellings of the same double canonicalize to the same text.
            var alternative = Encoding.UTF8.GetBytes(value.ToString("E17", CultureInfo.InvariantCulture));
            JsonCanonicalizer.Canonicalize(alternative).ShouldBe(utf8);
        }
    }

    [Fact]
    public void Canonicalization_is_idempotent_and_keeps_the_data()
    {
        var random = new Random(Seed + 3);
        for (var i = 0; i < 2_000; i++)
        {
            var json = RandomJson.Document(random);

            var canonical = JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(json));

            JsonCanonicalizer.Canonicalize(canonical).ShouldBe(canonical, $"not idempotent for {json}");
            using var original = JsonDocument.Parse(json);
            using var result = JsonDocument.Parse(canonical);
            SameData(original.RootElement, result.RootElement).ShouldBeTrue($"data changed: {json}");
        }
    }

    [Fact]
    public void Formatting_and_property_order_do_not_change_the_canonical_form()
    {
        var random = new Random(Seed + 4);
        for (var i = 0; i < 1_000; i++)
        {
            var json = RandomJson.Document(random);
            var canonical = JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(json));

            // Re-serialized by System.Text.Json: indented, non-ASCII escaped, properties in reverse order.
            var node = Reverse(JsonNode.Parse(json));
            var reformatted = node?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "null";

            JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(reformatted)).ShouldBe(canonical, $"for {json}");
        }
    }

    /// <summary>Doubles of every kind: random bit patterns (any magnitude, subnormals) and "everyday" values.</summary>
    private static IEnumerable<double> RandomDoubles(Random random, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var value = (i % 4) switch
            {
                0 => BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue)),
                1 => Math.Round((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(0, 12)), random.Next(0, 6)),
                2 => random.NextInt64(-(1L << 54), 1L << 54),
                _ => (random.NextDouble() + 0.1) * Math.Pow(10, random.Next(-30, 30)),
            };

            if (double.IsFinite(value))
            {
                yield return value;
            }
        }

        // Boundaries of the plain/exponent switch and the ends of the double range.
        foreach (var edge in new[] { 1e21, 1e21 - 65536, 1e-7, 1e-6, 9.999999999999999e-8, 1e-7 * 0.9999999999999999,
                     double.MaxValue, double.Epsilon, 2.2250738585072014e-308, -0.0, 0.0 })
        {
            yield return edge;
        }
    }

    private static string SignificantDigits(string text)
    {
        var mantissa = text.TrimStart('-').Split('e')[0].Replace(".", "", StringComparison.Ordinal);
        return mantissa.Trim('0');
    }

    private static JsonNode? Reverse(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var reversed = new JsonObject();
                foreach (var (name, value) in obj.ToList().AsEnumerable().Reverse())
                {
                    obj.Remove(name);
                    reversed[name] = Reverse(value);
                }

                return reversed;
            case JsonArray array:
                var items = array.ToList();
                array.Clear();
                return new JsonArray(items.Select(Reverse).ToArray());
            default:
                return node;
        }
    }

    /// <summary>Same JSON data: numbers compared as doubles, strings by UTF-16 code units, objects as maps.</summary>
    private static bool SameData(JsonElement a, JsonElement b)
    {
        if (a.ValueKind != b.ValueKind)
        {
            return false;
        }

        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                var left = a.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
                var right = b.EnumerateObject().ToList();
                return left.Count == right.Count
                    && right.All(p => left.TryGetValue(p.Name, out var value) && SameData(value, p.Value));
            case JsonValueKind.Array:
                return a.GetArrayLength() == b.GetArrayLength()
                    && a.EnumerateArray().Zip(b.EnumerateArray()).All(pair => SameData(pair.First, pair.Second));
            case JsonValueKind.String:
                return string.Equals(a.GetString(), b.GetString(), StringComparison.Ordinal);
            case JsonValueKind.Number:
                return a.GetDouble() == b.GetDouble();
            default:
                return true;
        }
    }

    /// <summary>Generates valid I-JSON text with varied whitespace, escapes and number spellings.</summary>
    private static class RandomJson
    {
        private static readonly string[] Whitespace = ["", "", " ", "\n", "\t", "\r\n  "];

        private static readonly string[] Words =
        [
            "", "a", "A", "b", "aa", "10", "9", "id", "\u00e9", "e\u0301", "\u20ac", "\u2028", "\ud83d\ude02",
            "\ufb33", "\u007f", "\u0000", "\t", "\"", "\\", "/", "</script>", "\u0080",
        ];

        public static string Document(Random random)
        {
            var text = new StringBuilder();
            Value(random, text, depth: 0);
            return Space(random) + text + Space(random);
        }

        private static void Value(Random random, StringBuilder text, int depth)
        {
            switch (random.Next(depth >= 4 ? 4 : 6))
            {
                case 0:
                    text.Append(random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" });
                    break;
                case 1:
                    Number(random, text);
                    break;
                case 2:
                case 3:
                    String(random, text);
                    break;
                case 4:
                    Array(random, text, depth);
                    break;
                default:
                    Object(random, text, depth);
                    break;
            }
        }

        private static void Object(Random random, StringBuilder text, int depth)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            text.Append('{');
            for (var i = random.Next(6); i > 0; i--)
            {
                var name = Word(random);
                if (!names.Add(name))
                {
                    continue;
                }

                if (names.Count > 1)
                {
                    text.Append(',');
                }

                text.Append(Space(random));
                Quoted(random, name, text);
                text.Append(Space(random)).Append(':').Append(Space(random));
                Value(random, text, depth + 1);
                text.Append(Space(random));
            }

            text.Append('}');
        }

        private static void Array(Random random, StringBuilder text, int depth)
        {
            text.Append('[');
            for (var i = random.Next(5); i > 0; i--)
            {
                Value(random, text, depth + 1);
                text.Append(i > 1 ? "," + Space(random) : Space(random));
            }

            text.Append(']');
        }

        private static void Number(Random random, StringBuilder text)
        {
            var value = RandomDoubles(random, 1).FirstOrDefault();
            var spelling = random.Next(3) switch
            {
                0 => value.ToString("R", CultureInfo.InvariantCulture),
                1 => value.ToString("E16", CultureInfo.InvariantCulture),
                _ => JsonCanonicalizer.FormatNumber(value),
            };
            text.Append(spelling);
        }

        private static void String(Random random, StringBuilder text) => Quoted(random, Word(random) + Word(random), text);

        private static string Word(Random random) => Words[random.Next(Words.Length)];

        private static string Space(Random random) => Whitespace[random.Next(Whitespace.Length)];

        /// <summary>Writes a JSON string, escaping randomly (but validly) so that many spellings occur.</summary>
        private static void Quoted(Random random, string value, StringBuilder text)
        {
            text.Append('"');
            for (var i = 0; i < value.Length; i++)
            {
                var c = value[i];
                var mustEscape = c < 0x20 || c == '"' || c == '\\';

                // A surrogate pair is escaped as a whole or not at all, so that both halves stay together.
                var pair = char.IsHighSurrogate(c) && i + 1 < value.Length ? 2 : 1;
                if (mustEscape || random.Next(4) == 0)
                {
                    for (var j = i; j < i + pair; j++)
                    {
                        text.Append(Escape(random, value[j]));
                    }
                }
                else
                {
                    text.Append(value, i, pair);
                }

                i += pair - 1;
            }

            text.Append('"');
        }

        private static string Escape(Random random, char c) => c switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            '/' => "\\/",
            '\n' => "\\n",
            _ => "\\u" + ((int)c).ToString(random.Next(2) == 0 ? "x4" : "X4", CultureInfo.InvariantCulture),
        };
    }
}
