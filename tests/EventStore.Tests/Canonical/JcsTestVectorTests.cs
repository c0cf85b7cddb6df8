using System.Globalization;
using System.Text;
using System.Text.Json;
using Ledger.EventStore.Canonical;

namespace Ledger.EventStore.Tests.Canonical;

/// <summary>
/// Runs the published RFC 8785 vectors exactly as they are on disk: input/NAME.json must canonicalize to the
/// bytes of output/NAME.json and to the bytes spelled out in outhex/NAME.txt.
/// </summary>
public class JcsTestVectorTests
{
    // Stands in for the vector names when the folder is missing, so that the theory still runs and fails
    // with JcsTestData's explanation instead of reporting "no data".
    private const string MissingFolder = "<test data folder not found>";

    public static TheoryData<string> VectorNames()
    {
        var names = JcsTestData.TryListNames().ToList();
        return new TheoryData<string>(names.Count > 0 ? names : [MissingFolder]);
    }

    [Fact]
    public void Test_data_folder_is_found_and_complete()
    {
        var folder = JcsTestData.Directory;
        var inputs = Names(folder, "input", ".json");

        inputs.ShouldNotBeEmpty($"No input/*.json in {folder}.");
        Names(folder, "output", ".json").ShouldBe(inputs, $"output/ must hold one file per input in {folder}.");
        Names(folder, "outhex", ".txt").ShouldBe(inputs, $"outhex/ must hold one file per input in {folder}.");
    }

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void Input_canonicalizes_to_output_bytes(string name)
    {
        var folder = JcsTestData.Directory;
        var input = File.ReadAllBytes(Path.Combine(folder, "input", name + ".json"));
        var expected = File.ReadAllBytes(Path.Combine(folder, "output", name + ".json"));

        var actual = JsonCanonicalizer.Canonicalize(input);

        ShouldBeSameBytes(actual, expected, $"output/{name}.json");
    }

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void Input_canonicalizes_to_outhex_bytes(string name)
    {
        var folder = JcsTestData.Directory;
        var input = File.ReadAllBytes(Path.Combine(folder, "input", name + ".json"));
        var expected = ParseHex(File.ReadAllText(Path.Combine(folder, "outhex", name + ".txt")));

        var actual = JsonCanonicalizer.Canonicalize(input);

        ShouldBeSameBytes(actual, expected, $"outhex/{name}.txt");
    }

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void Every_entry_point_gives_the_same_bytes(string name)
    {
        var folder = JcsTestData.Directory;
        var input = File.ReadAllBytes(Path.Combine(folder, "input", name + ".json"));
        var expected = File.ReadAllBytes(Path.Combine(folder, "output", name + ".json"));

        using var document = JsonDocument.Parse(input);
        ShouldBeSameBytes(JsonCanonicalizer.Canonicalize(document.RootElement), expected, "Canonicalize(JsonElement)");
        ShouldBeSameBytes(JsonCanonicalizer.Canonicalize(System.Text.Json.Nodes.JsonNode.Parse(input)), expected, "Canonicalize(JsonNode)");

        // Canonical text is a fixed point.
        ShouldBeSameBytes(JsonCanonicalizer.Canonicalize(expected), expected, "Canonicalize(output)");
    }

    private static List<string> Names(string folder, string sub, string extension) =>
        Directory.GetFiles(Path.Combine(folder, sub), "*" + extension)
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Reads whitespace-separated hex bytes ("7b 22 ...", across any number of lines).</summary>
    private static byte[] ParseHex(string text) =>
        text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(token => byte.Parse(token, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture))
            .ToArray();

    private static void ShouldBeSameBytes(byte[] actual, byte[] expected, string what)
    {
        // Comparing as text first gives a readable diff; the byte comparison is the real check.
        Encoding.UTF8.GetString(actual).ShouldBe(Encoding.UTF8.GetString(expected), $"Canonical text differs from {what}.");
        actual.ShouldBe(expected, $"Canonical bytes differ from {what}.");
    }
}
