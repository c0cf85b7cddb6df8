using Ledger.EventStore.Canonical;
using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace Ledger.EventStore.Tests.Canonical.Reference;

// The JsonNode path: nodes built in code are walked directly, so lone surrogates are caught, not replaced.
internal static partial class ReferenceCanonicalizer
{
    private static void WriteNode(JsonNode? node, IBufferWriter<byte> output)
    {
        switch (node)
        {
            case null:
                WriteAscii("null"u8, output);
                break;
            case JsonObject obj:
                WriteObject(obj, output);
                break;
            case JsonArray array:
                WriteArray(array, output);
                break;
            case JsonValue value when TryReadString(value, out var text):
                // Strings are written directly: going through Utf8JsonWriter would silently replace lone
                // surrogates with U+FFFD instead of rejecting them.
                WriteString(text, output);
                break;
            case JsonValue value when value.TryGetValue(out JsonElement element):
                // Parsed nodes wrap the JsonElement they were read from.
                WriteElement(element, output);
                break;
            default:
                // A value built from a CLR object (double, decimal, bool, DateTime...): let System.Text.Json say
                // what JSON it stands for, then canonicalize that single scalar.
                WriteElement(JsonSerializer.SerializeToElement(node), output);
                break;
        }
    }

    private static void WriteObject(JsonObject obj, IBufferWriter<byte> output)
    {
        WriteAscii("{"u8, output);
        var first = true;
        foreach (var (name, value) in SortMembers(ReadMembers(obj)))
        {
            WriteMemberName(name, first, output);
            WriteNode(value, output);
            first = false;
        }

        WriteAscii("}"u8, output);
    }

    private static void WriteArray(JsonArray array, IBufferWriter<byte> output)
    {
        WriteAscii("["u8, output);
        for (var i = 0; i < array.Count; i++)
        {
            if (i > 0)
            {
                WriteAscii(","u8, output);
            }

            WriteNode(array[i], output);
        }

        WriteAscii("]"u8, output);
    }


    private static bool TryReadString(JsonValue value, [NotNullWhen(true)] out string? text)
    {
        try
        {
            return value.TryGetValue(out text);
        }
        catch (InvalidOperationException e)
        {
            // A parsed node holding an escape such as "\ud800".
            throw LoneSurrogate(e);
        }
    }

    private static List<KeyValuePair<string, JsonNode?>> ReadMembers(JsonObject obj)
    {
        try
        {
            return obj.ToList();
        }
        catch (InvalidOperationException e)
        {
            // A parsed object materializes its names on first use and refuses one such as "\ud800".
            throw LoneSurrogate(e);
        }
    }
}
