using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.EventStore.Canonical;

namespace Ledger.EventStore.Tests.Canonical;

/// <summary>Structure, string and I-JSON rules of RFC 8785, and the entry points.</summary>
public class JsonCanonicalizerTests
{
    private static string Canonical(string json) =>
        Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(json)));

    [Theory]
    [InlineData(" true ", "true")]
    [InlineData("false", "false")]
    [InlineData("\tnull\n", "null")]
    [InlineData("[ ]", "[]")]
    [InlineData("{ }", "{}")]
    [InlineData("[ 1 , [ 2 , { } ] ]", "[1,[2,{}]]")]
    [InlineData("[3, 1, 2]", "[3,1,2]")]
    [InlineData("{ \"b\" : 1 , \"a\" : { \"d\" : [ ] , \"c\" : null } }", "{\"a\":{\"c\":null,\"d\":[]},\"b\":1}")]
    public void Whitespace_is_removed_and_array_order_kept(string json, string expected)
    {
        Canonical(json).ShouldBe(expected);
    }

    [Fact]
    public void Property_names_are_sorted_by_utf16_code_units_not_code_points_or_culture()
    {
        // U+1F602 is D83D DE02 in UTF-16, so it sorts before U+FB33 even though its code point is larger;
        // "B" (0x42) sorts before "a" (0x61) whatever the culture says; "" sorts first; "10" before "9".
        var json = "{\"\\ufb33\":1,\"\\ud83d\\ude02\":2,\"a\":3,\"B\":4,\"\":5,\"9\":6,\"10\":7,\"\\u00e9\":8}";

        Canonical(json).ShouldBe("{\"\":5,\"10\":7,\"9\":6,\"B\":4,\"a\":3,\"é\":8,\"😂\":2,\"דּ\":1}");
    }

    [Fact]
    public void Only_quote_backslash_and_control_characters_are_escaped()
    {
        var json = "\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f \\\" \\\\ \\/ \\u007f \\u00e9 \\u2028 \\u2029 \\ud83d\\ude02 <>&'\"";

        Canonical(json).ShouldBe("\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f \\\" \\\\ / \u007f é \u2028 \u2029 😂 <>&'\"");
    }

    [Fact]
    public void Non_ascii_is_written_as_utf8_bytes()
    {
        JsonCanonicalizer.Canonicalize("\"\\u20ac\""u8).ShouldBe(new byte[] { 0x22, 0xe2, 0x82, 0xac, 0x22 });
        JsonCanonicalizer.Canonicalize("\"\\ud83d\\ude02\""u8).ShouldBe(new byte[] { 0x22, 0xf0, 0x9f, 0x98, 0x82, 0x22 });
    }

    [Fact]
    public void Unicode_is_not_normalized()
    {
        // RFC 8785 §3.2.2.2: "A" + COMBINING RING ABOVE stays two code points, not U+00C5.
        Canonical("\"A\\u030a\"").ShouldBe("\"A\u030a\"");
    }

    [Theory]
    [InlineData("\"\\ud800\"")]
    [InlineData("\"\\udc00\"")]
    [InlineData("\"a\\ud83d\"")]
    [InlineData("\"\\ude02\\ud83d\"")]
    [InlineData("[\"ok\", \"\\ud800x\"]")]
    [InlineData("{\"\\ud800\": 1}")]
    public void Lone_surrogates_are_rejected(string json)
    {
        Should.Throw<JsonCanonicalizationException>(() => Canonical(json))
            .Message.ShouldContain("lone UTF-16 surrogate");
    }

    [Fact]
    public void Lone_surrogates_in_a_node_built_in_code_are_rejected()
    {
        var node = new JsonObject { ["text"] = "\ud800" };

        Should.Throw<JsonCanonicalizationException>(() => JsonCanonicalizer.Canonicalize(node));
    }

    [Theory]
    [InlineData("\"\\ud800\"")]
    [InlineData("{\"k\":[\"\\udc00\"]}")]
    [InlineData("{\"\\ud800\":1}")]
    public void Lone_surrogates_in_a_parsed_node_are_rejected(string json)
    {
        var node = JsonNode.Parse(json);

        Should.Throw<JsonCanonicalizationException>(() => JsonCanonicalizer.Canonicalize(node));
    }

    [Theory]
    [InlineData("{\"a\":1,\"a\":2}")]
    [InlineData("{\"a\":1,\"b\":2,\"a\":1}")]
    [InlineData("{\"a\":1,\"\\u0061\":2}")]
    [InlineData("[{\"x\":{\"k\":true,\"k\":false}}]")]
    public void Duplicate_property_names_are_rejected(string json)
    {
        var error = Should.Throw<JsonCanonicalizationException>(() => Canonical(json));
        error.Message.ShouldContain("Duplicate property name");
    }

    [Fact]
    public void Duplicate_property_names_in_a_json_element_are_rejected()
    {
        using var document = JsonDocument.Parse("{\"k\":1,\"k\":2}");

        Should.Throw<JsonCanonicalizationException>(() => JsonCanonicalizer.Canonicalize(document.RootElement));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[1,]")]
    [InlineData("{\"a\":1,}")]
    [InlineData("1 2")]
    [InlineData("{} []")]
    [InlineData("// comment\n1")]
    [InlineData("'single'")]
    [InlineData("\"tab\there\"")]
    public void Malformed_json_is_rejected(string json)
    {
        Should.Throw<JsonException>(() => Canonical(json));
    }

    [Fact]
    public void Default_json_element_is_rejected()
    {
        Should.Throw<ArgumentException>(() => JsonCanonicalizer.Canonicalize(default(JsonElement)));
    }

    [Fact]
    public void Write_canonical_appends_to_a_buffer_writer()
    {
        var output = new ArrayBufferWriter<byte>();
        output.Write("prefix:"u8);

        JsonCanonicalizer.WriteCanonical("{\"b\": [1.0, \"x\"], \"a\": null}"u8, output);

        Encoding.UTF8.GetString(output.WrittenSpan).ShouldBe("prefix:{\"a\":null,\"b\":[1,\"x\"]}");
    }

    [Fact]
    public void Output_of_a_utf8_json_writer_can_be_canonicalized()
    {
        var written = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(written, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("amount", 10.50m);
            writer.WriteString("currency", "EUR");
            writer.WriteString("memo", "Café <b>\u2028");
            writer.WriteEndObject();
        }

        var output = new ArrayBufferWriter<byte>();
        JsonCanonicalizer.WriteCanonical(written.WrittenSpan, output);

        Encoding.UTF8.GetString(output.WrittenSpan).ShouldBe("{\"amount\":10.5,\"currency\":\"EUR\",\"memo\":\"Café <b>\u2028\"}");
    }

    [Fact]
    public void Json_node_built_in_code_is_canonicalized_like_its_text()
    {
        var node = new JsonObject
        {
            ["z"] = 1.0,
            ["amount"] = 10.50m,
            ["big"] = 12345678901234567890UL,
            ["when"] = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero),
            ["list"] = new JsonArray(true, null, "x\n", -0.0),
            ["nested"] = new JsonObject { ["b"] = 2, ["a"] = 1 },
            ["nothing"] = null,
        };

        var expected = "{\"amount\":10.5,\"big\":12345678901234567000,\"list\":[true,null,\"x\\n\",0],"
            + "\"nested\":{\"a\":1,\"b\":2},\"nothing\":null,\"when\":\"2024-01-02T03:04:05+00:00\",\"z\":1}";
        Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(node)).ShouldBe(expected);
        Canonical(node.ToJsonString()).ShouldBe(expected);
    }

    [Fact]
    public void Null_json_node_is_json_null()
    {
        JsonCanonicalizer.Canonicalize((JsonNode?)null).ShouldBe("null"u8.ToArray());
    }

    [Fact]
    public void Deep_nesting_within_the_reader_limit_works()
    {
        var json = new string('[', 60) + new string(']', 60);

        Canonical(json).ShouldBe(json);
    }
}
