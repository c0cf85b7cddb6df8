using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Ledger.EventStore.Canonical;

/// <summary>
/// The fast path of <see cref="JsonCanonicalizer"/> for JSON text: one pass of a <see cref="Utf8JsonReader"/> over the
/// UTF-8, writing canonical bytes as it goes, with no tree, no strings and no per-value allocations. Object members
/// are written in the order they come and then moved into RFC 8785 order within the object's own bytes.
/// </summary>
/// <remarks>
/// It only ever succeeds or gives up: on anything it does not accept (malformed text, a duplicate name, a lone
/// surrogate, a number beyond the double range) it returns false and writes nothing, and the caller runs the tree walk,
/// which reports the fault exactly as it always has. So errors cost two passes; valid JSON, the only kind a ledger
/// stores, costs one.
/// </remarks>
internal sealed class SinglePassCanonicalizer : IBufferWriter<byte>
{
    // Integers of up to 15 digits are exact doubles, and ECMAScript writes them digit for digit.
    private const int MaxExactIntegerDigits = 15;

    // A writer that grew for an unusually large value is not kept.
    private const int MaxRetainedBytes = 1 << 20;

    [ThreadStatic]
    private static SinglePassCanonicalizer? cached;

    private readonly Comparison<Member> compareMembers;
    private byte[] buffer = new byte[4096];
    private int length;
    private byte[] scratch = new byte[4096];
    private byte[] unescapedNames = new byte[256];
    private int unescapedLength;
    private Member[] members = new Member[64];
    private int memberCount;

    private SinglePassCanonicalizer() => compareMembers = CompareMembers;

    /// <summary>One member written in place: <c>"name":value</c> at [Start, End), its name (unescaped UTF-8) at NameStart in <see cref="buffer"/> or, when escaped, in <see cref="unescapedNames"/>.</summary>
    private readonly record struct Member(int Start, int End, int NameStart, int NameLength, bool NameUnescapedApart);

    /// <summary>Writes the canonical form of the one JSON value in <paramref name="utf8Json"/>; false (and nothing written) when it has none.</summary>
    public static bool TryWrite(ReadOnlySpan<byte> utf8Json, IBufferWriter<byte> output)
    {
        var writer = cached ?? new SinglePassCanonicalizer();
        cached = null;
        try
        {
            if (!writer.TryCanonicalize(utf8Json)) return false;
            var span = output.GetSpan(writer.length);
            writer.buffer.AsSpan(0, writer.length).CopyTo(span);
            output.Advance(writer.length);
            return true;
        }
        finally
        {
            writer.Reset();
            if (writer.buffer.Length <= MaxRetainedBytes && writer.scratch.Length <= MaxRetainedBytes) cached = writer;
        }
    }

    private bool TryCanonicalize(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            // The same reading rules as the tree walk: strict RFC 8259, exactly one value.
            var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { AllowMultipleValues = false });
            if (!reader.Read()) return false;
            WriteValue(ref reader);
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            // The reader's way of refusing an escape that decodes to a lone surrogate.
            return false;
        }
    }

    private void Reset()
    {
        length = 0;
        unescapedLength = 0;
        memberCount = 0;
    }

    private void WriteValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                WriteObject(ref reader);
                break;
            case JsonTokenType.StartArray:
                WriteArray(ref reader);
                break;
            case JsonTokenType.String:
                WriteString(ref reader);
                break;
            case JsonTokenType.Number:
                WriteNumber(ref reader);
                break;
            case JsonTokenType.True:
                Append("true"u8);
                break;
            case JsonTokenType.False:
                Append("false"u8);
                break;
            case JsonTokenType.Null:
                Append("null"u8);
                break;
            default:
                throw new JsonCanonicalizationException($"Unexpected {reader.TokenType}.");
        }
    }

    private void WriteArray(ref Utf8JsonReader reader)
    {
        Append("["u8);
        var first = true;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (!first) Append(","u8);
            WriteValue(ref reader);
            first = false;
        }
        Append("]"u8);
    }

    private void WriteObject(ref Utf8JsonReader reader)
    {
        Append("{"u8);
        var body = length;
        var firstMember = memberCount;
        var namesMark = unescapedLength;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            if (memberCount > firstMember) Append(","u8);
            var start = length;
            var nameApart = reader.ValueIsEscaped;
            var nameStart = nameApart ? unescapedLength : start + 1;
            WriteString(ref reader);
            var nameLength = nameApart ? unescapedLength - nameStart : length - start - 2;
            Append(":"u8);
            reader.Read();
            WriteValue(ref reader);
            Push(new Member(start, length, nameStart, nameLength, nameApart));
        }

        PutInOrder(body, firstMember);
        memberCount = firstMember;
        unescapedLength = namesMark;
        Append("}"u8);
    }

    /// <summary>
    /// Moves the members written from <paramref name="body"/> on into RFC 8785 §3.2.3 order (names as UTF-16 code units)
    /// and refuses duplicate names (RFC 7493 §2.3). The object keeps its length: the same members and commas, reordered.
    /// </summary>
    private void PutInOrder(int body, int firstMember)
    {
        var list = members.AsSpan(firstMember, memberCount - firstMember);
        var sorted = true;
        for (var i = 1; i < list.Length && sorted; i++)
            sorted = CompareMembers(list[i - 1], list[i]) < 0;
        if (sorted) return;

        if (list.Length <= 16) InsertionSort(list);
        else list.Sort(compareMembers);
        for (var i = 1; i < list.Length; i++)
            if (CompareMembers(list[i - 1], list[i]) == 0)
                throw new JsonCanonicalizationException("Duplicate property name.");

        var size = length - body;
        if (scratch.Length < size) scratch = new byte[Math.Max(size, scratch.Length * 2)];
        buffer.AsSpan(body, size).CopyTo(scratch);
        var at = body;
        foreach (var member in list)
        {
            if (at > body) buffer[at++] = (byte)',';
            scratch.AsSpan(member.Start - body, member.End - member.Start).CopyTo(buffer.AsSpan(at));
            at += member.End - member.Start;
        }
    }

    private void InsertionSort(Span<Member> list)
    {
        for (var i = 1; i < list.Length; i++)
        {
            var item = list[i];
            var j = i - 1;
            for (; j >= 0 && CompareMembers(list[j], item) > 0; j--)
                list[j + 1] = list[j];
            list[j + 1] = item;
        }
    }

    private int CompareMembers(Member a, Member b) => Utf16Order.Compare(Name(a), Name(b));

    private ReadOnlySpan<byte> Name(Member member) =>
        (member.NameUnescapedApart ? unescapedNames : buffer).AsSpan(member.NameStart, member.NameLength);

    /// <summary>A string or a member name, quoted; an escaped name's unescaped UTF-8 is also kept apart for sorting.</summary>
    private void WriteString(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            // Unescaped JSON text cannot hold '"', '\' or a control character, the only ones RFC 8785 escapes: the
            // bytes are already canonical, once they are known to be UTF-8 (the reader does not check that).
            var text = reader.ValueSpan;
            if (!Utf8.IsValid(text)) throw new JsonCanonicalizationException("Not UTF-8.");
            var span = Grow(text.Length + 2);
            span[0] = (byte)'"';
            text.CopyTo(span[1..]);
            span[text.Length + 1] = (byte)'"';
            length += text.Length + 2;
            return;
        }

        // Rare: decoded through a string, whose lone surrogates the reader refuses, then escaped as RFC 8785 says.
        var value = reader.GetString()!;
        JsonCanonicalizer.WriteString(value, this);
        if (reader.TokenType == JsonTokenType.PropertyName)
        {
            var needed = unescapedLength + Encoding.UTF8.GetMaxByteCount(value.Length);
            if (unescapedNames.Length < needed) Array.Resize(ref unescapedNames, Math.Max(needed, unescapedNames.Length * 2));
            unescapedLength += Encoding.UTF8.GetBytes(value, unescapedNames.AsSpan(unescapedLength));
        }
    }

    private void WriteNumber(ref Utf8JsonReader reader)
    {
        var text = reader.ValueSpan;
        var digits = text[0] == '-' ? text[1..] : text;
        if (digits.Length <= MaxExactIntegerDigits && !digits.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            // JSON has no leading zeros, so an integer this short is already its ECMAScript form; only -0 is 0.
            Append(digits is [(byte)'0'] ? digits : text);
            return;
        }

        if (!reader.TryGetDouble(out var value)) throw new JsonCanonicalizationException("Not a double.");
        length += EcmaScriptNumber.Write(value, Grow(EcmaScriptNumber.MaxLength));
    }

    private void Push(Member member)
    {
        if (memberCount == members.Length) Array.Resize(ref members, members.Length * 2);
        members[memberCount++] = member;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Grow(bytes.Length));
        length += bytes.Length;
    }

    private Span<byte> Grow(int size)
    {
        if (buffer.Length - length < size) Array.Resize(ref buffer, Math.Max(length + size, buffer.Length * 2));
        return buffer.AsSpan(length);
    }

    void IBufferWriter<byte>.Advance(int count) => length += count;

    Memory<byte> IBufferWriter<byte>.GetMemory(int sizeHint)
    {
        Grow(Math.Max(sizeHint, 1));
        return buffer.AsMemory(length);
    }

    Span<byte> IBufferWriter<byte>.GetSpan(int sizeHint) => Grow(Math.Max(sizeHint, 1));
}
