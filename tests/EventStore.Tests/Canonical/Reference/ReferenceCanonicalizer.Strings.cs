using Ledger.EventStore.Canonical;
using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace Ledger.EventStore.Tests.Canonical.Reference;

// Strings: the minimal escaping of RFC 8785 §3.2.2.2, everything else as UTF-8.
internal static partial class ReferenceCanonicalizer
{
    /// <summary>Writes a string as RFC 8785 §3.2.2.2 prescribes, quotes included.</summary>
    private static void WriteString(string value, IBufferWriter<byte> output)
    {
        WriteAscii("\""u8, output);

        // Only '"', '\' and the control characters below U+0020 are escaped; everything else, including
        // U+007F, non-ASCII letters and U+2028/U+2029, is written as-is in UTF-8. Characters are copied in runs
        // between the ones that need escaping.
        var runStart = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c >= 0x20 && c != '"' && c != '\\')
            {
                continue;
            }

            WriteUtf8(value.AsSpan(runStart, i - runStart), output);
            WriteEscaped(c, output);
            runStart = i + 1;
        }

        WriteUtf8(value.AsSpan(runStart), output);
        WriteAscii("\""u8, output);
    }

    private static void WriteEscaped(char c, IBufferWriter<byte> output)
    {
        // RFC 8785 §3.2.2.2: the two-character forms where JSON has them, otherwise \u00XX in lowercase hex.
        ReadOnlySpan<byte> escape = c switch
        {
            '"' => "\\\""u8,
            '\\' => "\\\\"u8,
            '\b' => "\\b"u8,
            '\t' => "\\t"u8,
            '\n' => "\\n"u8,
            '\f' => "\\f"u8,
            '\r' => "\\r"u8,
            _ => Encoding.ASCII.GetBytes($"\\u{(int)c:x4}"),
        };
        WriteAscii(escape, output);
    }

    private static void WriteUtf8(ReadOnlySpan<char> text, IBufferWriter<byte> output)
    {
        if (text.IsEmpty)
        {
            return;
        }

        // Strict transcoding: Encoding.UTF8 would silently turn a lone surrogate into U+FFFD, changing the data.
        var destination = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        var status = Utf8.FromUtf16(text, destination, out _, out var written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done)
        {
            throw LoneSurrogate(null);
        }

        output.Advance(written);
    }

    private static void WriteAscii(ReadOnlySpan<byte> bytes, IBufferWriter<byte> output)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    private static JsonCanonicalizationException LoneSurrogate(Exception? inner)
    {
        const string Message =
            "A string holds a lone UTF-16 surrogate, which has no UTF-8 form: RFC 8785 §3.1 requires I-JSON (RFC 7493 §2.1).";
        return inner is null ? new(Message) : new(Message, inner);
    }
}
