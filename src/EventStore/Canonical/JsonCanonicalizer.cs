using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace Ledger.EventStore.Canonical;

/// <summary>
/// Serializes JSON values in the RFC 8785 JSON Canonicalization Scheme (JCS): the one byte sequence that every
/// conforming implementation produces for the same data, so that it can be hashed or signed.
/// </summary>
/// <remarks>
/// The rules, all from RFC 8785 §3.2:
/// <list type="bullet">
/// <item>no whitespace between tokens (§3.2.1);</item>
/// <item>literals as <c>true</c>, <c>false</c>, <c>null</c> (§3.2.2.1);</item>
/// <item>strings with the minimal escaping of §3.2.2.2 and everything else as UTF-8 (§3.2.4);</item>
/// <item>numbers as IEEE-754 doubles in ECMAScript <c>Number.prototype.toString</c> form (§3.2.2.3);</item>
/// <item>object properties sorted by their names as arrays of UTF-16 code units (§3.2.3).</item>
/// </list>
/// Input must be I-JSON (RFC 7493), as §3.1 requires: duplicate property names, lone surrogates and numbers
/// outside the double range throw <see cref="JsonCanonicalizationException"/>. Malformed JSON text throws the
/// <see cref="JsonException"/> of System.Text.Json's reader, which the former derives from.
/// </remarks>
public static partial class JsonCanonicalizer
{
    /// <summary>Returns the canonical UTF-8 form of <paramref name="element"/>.</summary>
    public static byte[] Canonicalize(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>();
        WriteCanonical(element, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses one JSON value from UTF-8 text and returns its canonical UTF-8 form.</summary>
    public static byte[] Canonicalize(ReadOnlySpan<byte> utf8Json)
    {
        var buffer = new ArrayBufferWriter<byte>();
        WriteCanonical(utf8Json, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Returns the canonical UTF-8 form of <paramref name="node"/> (<see langword="null"/> is JSON null).</summary>
    public static byte[] Canonicalize(JsonNode? node)
    {
        var buffer = new ArrayBufferWriter<byte>();
        WriteCanonical(node, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the canonical UTF-8 form of <paramref name="element"/> to <paramref name="output"/>.</summary>
    public static void WriteCanonical(JsonElement element, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);

        // A parsed element is a window on its document's UTF-8, which the single pass reads without building strings.
        if (element.ValueKind != JsonValueKind.Undefined && SinglePassCanonicalizer.TryWrite(JsonMarshal.GetRawUtf8Value(element), output))
        {
            return;
        }

        WriteElement(element, output);
    }

    /// <summary>
    /// Parses one JSON value from UTF-8 text (for example what a <see cref="Utf8JsonWriter"/> wrote into an
    /// <see cref="ArrayBufferWriter{T}"/>) and writes its canonical form to <paramref name="output"/>.
    /// </summary>
    public static void WriteCanonical(ReadOnlySpan<byte> utf8Json, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (SinglePassCanonicalizer.TryWrite(utf8Json, output))
        {
            return;
        }

        // The single pass gave up: the text is malformed or not I-JSON. The tree walk says exactly why, as it always has.
        // Strict RFC 8259 reading: no comments, no trailing commas, exactly one value (whitespace around it is fine).
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { AllowMultipleValues = false });
        using var document = JsonDocument.ParseValue(ref reader);
        if (reader.Read())
        {
            throw new JsonCanonicalizationException("The input holds more than one JSON value.");
        }

        WriteElement(document.RootElement, output);
    }

    /// <summary>
    /// Writes the canonical UTF-8 form of <paramref name="node"/> to <paramref name="output"/>, walking objects and
    /// arrays in place instead of serializing the whole tree first.
    /// </summary>
    public static void WriteCanonical(JsonNode? node, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        WriteNode(node, output);
    }

    /// <summary>
    /// Formats a number as RFC 8785 §3.2.2.3 requires (ECMAScript <c>Number.prototype.toString</c>), e.g.
    /// <c>1e+21</c>, <c>0.002</c>, <c>4.5</c>; -0 becomes <c>0</c>. NaN and infinities throw.
    /// </summary>
    public static string FormatNumber(double value) => EcmaScriptNumber.Format(value);

    private static void WriteElement(JsonElement element, IBufferWriter<byte> output)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(element, output);
                break;
            case JsonValueKind.Array:
                WriteArray(element, output);
                break;
            case JsonValueKind.String:
                WriteString(ReadString(element), output);
                break;
            case JsonValueKind.Number:
                WriteNumber(element, output);
                break;
            case JsonValueKind.True:
                WriteAscii("true"u8, output);
                break;
            case JsonValueKind.False:
                WriteAscii("false"u8, output);
                break;
            case JsonValueKind.Null:
                WriteAscii("null"u8, output);
                break;
            default:
                throw new ArgumentException($"A JsonElement of kind {element.ValueKind} holds no JSON value.", nameof(element));
        }
    }

    private static void WriteObject(JsonElement element, IBufferWriter<byte> output)
    {
        var members = new List<KeyValuePair<string, JsonElement>>();
        foreach (var property in element.EnumerateObject())
        {
            members.Add(new(ReadName(property), property.Value));
        }

        WriteAscii("{"u8, output);
        var first = true;
        foreach (var (name, value) in SortMembers(members))
        {
            WriteMemberName(name, first, output);
            WriteElement(value, output);
            first = false;
        }

        WriteAscii("}"u8, output);
    }

    private static void WriteArray(JsonElement element, IBufferWriter<byte> output)
    {
        // Array order is data and stays as it is (RFC 8785 §3.2.3 sorts object properties only).
        WriteAscii("["u8, output);
        var first = true;
        foreach (var item in element.EnumerateArray())
        {
            if (!first)
            {
                WriteAscii(","u8, output);
            }

            WriteElement(item, output);
            first = false;
        }

        WriteAscii("]"u8, output);
    }

    private static void WriteNumber(JsonElement element, IBufferWriter<byte> output)
    {
        // RFC 8785 §3.2.2.3: every number is taken as the IEEE-754 double nearest to its text, whatever its
        // spelling (56.0, 5.6e1) or precision (9007199254740993 becomes 9007199254740992). Text beyond the
        // double range parses as an infinity, which FormatNumber rejects.
        if (!element.TryGetDouble(out var value))
        {
            throw new JsonCanonicalizationException(
                $"The number {element.GetRawText()} cannot be canonicalized: it is not representable as an IEEE-754 double.");
        }

        output.Advance(EcmaScriptNumber.Write(value, output.GetSpan(EcmaScriptNumber.MaxLength)));
    }

    /// <summary>
    /// Sorts object members as RFC 8785 §3.2.3 requires and rejects duplicate names (RFC 7493 §2.3).
    /// </summary>
    private static List<KeyValuePair<string, T>> SortMembers<T>(List<KeyValuePair<string, T>> members)
    {
        // §3.2.3 compares names as arrays of UTF-16 code units, independent of locale; string.CompareOrdinal
        // compares .NET strings exactly that way (so U+1F602, stored as D83D DE02, sorts before U+FB33).
        members.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));

        // After sorting, equal names are neighbours. Names are compared after unescaping, so "a" and "\u0061"
        // are duplicates too.
        for (var i = 1; i < members.Count; i++)
        {
            if (string.Equals(members[i - 1].Key, members[i].Key, StringComparison.Ordinal))
            {
                throw new JsonCanonicalizationException(
                    $"Duplicate property name \"{members[i].Key}\": RFC 8785 §3.1 requires I-JSON, whose objects have unique names (RFC 7493 §2.3).");
            }
        }

        return members;
    }

    private static void WriteMemberName(string name, bool first, IBufferWriter<byte> output)
    {
        if (!first)
        {
            WriteAscii(","u8, output);
        }

        WriteString(name, output);
        WriteAscii(":"u8, output);
    }

    private static string ReadString(JsonElement element)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            // System.Text.Json refuses escapes such as "\ud800" that decode to a lone surrogate.
            throw LoneSurrogate(e);
        }
    }

    private static string ReadName(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException e)
        {
            throw LoneSurrogate(e);
        }
    }

}
