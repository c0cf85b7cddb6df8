using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Ledger.EventStore.Canonical;
using Ledger.EventStore.Chain;
using Ledger.EventStore.Tests.Canonical.Reference;

namespace Ledger.EventStore.Tests.Canonical;

/// <summary>
/// The single-pass canonicaliser against the tree walk it replaced (<see cref="ReferenceCanonicalizer"/>): for any JSON
/// text, byte for byte the same output, or the same exception with the same message. The generated text leans on what
/// is easy to get wrong in one pass: escapes of every kind, surrogate pairs and lone surrogates, names that sort
/// differently as UTF-16 than as UTF-8, the same name spelt twice, and numbers with exponents, fractions and 16+ digits.
/// </summary>
public sealed class SinglePassPropertyTests
{
    private static readonly Config Many = Config.QuickThrowOnFailure.WithMaxTest(3_000);

    [Fact]
    public void Json_text_canonicalizes_as_the_reference_does()
    {
        Prop.ForAll(JsonText.Value(4).ToArbitrary(), json =>
            {
                var utf8 = Encoding.UTF8.GetBytes(json);
                Outcome(() => JsonCanonicalizer.Canonicalize(utf8)).ShouldBe(Outcome(() => ReferenceCanonicalizer.Canonicalize(utf8)), json);
            })
            .Check(Many);
    }

    [Fact]
    public void Parsed_elements_canonicalize_as_the_reference_does()
    {
        Prop.ForAll(JsonText.Value(4).Where(IsJson).ToArbitrary(), json =>
            {
                using var document = JsonDocument.Parse(json);
                var element = document.RootElement;
                Outcome(() => JsonCanonicalizer.Canonicalize(element)).ShouldBe(Outcome(() => ReferenceCanonicalizer.Canonicalize(element)), json);
            })
            .Check(Many);
    }

    [Fact]
    public void Invalid_utf8_and_malformed_text_fail_as_the_reference_does()
    {
        byte[][] inputs =
        [
            [(byte)'"', 0xff, (byte)'"'], [(byte)'"', 0xed, 0xa0, 0x80, (byte)'"'], [(byte)'{', (byte)'"', 0xc3, (byte)'"', (byte)':', (byte)'1', (byte)'}'],
            "[1,]"u8.ToArray(), "{\"a\":1,\"a\":2, }"u8.ToArray(), "1 2"u8.ToArray(), "1e400"u8.ToArray(), "-1e400"u8.ToArray(), ""u8.ToArray(),
            "{\"a\":1,\"\\u0061\":2}"u8.ToArray(), "[\"\\ud800\"]"u8.ToArray(), "{\"\\udc00\":1}"u8.ToArray(), "{\"b\":[1e999]}"u8.ToArray(),
        ];
        foreach (var input in inputs)
            Outcome(() => JsonCanonicalizer.Canonicalize(input)).ShouldBe(Outcome(() => ReferenceCanonicalizer.Canonicalize(input)), Convert.ToHexString(input));
    }

    [Fact]
    public void Ledger_records_are_the_reference_canonicalisation_of_their_fields()
    {
        var record = from tenant in JsonText.PlainText
                     from stream in JsonText.PlainText
                     from type in JsonText.PlainText
                     from streamVersion in Gen.OneOf(Gen.Elements(1L, 2L, 9_007_199_254_740_993L, long.MaxValue), ArbMap.Default.GeneratorFor<long>())
                     from typeVersion in ArbMap.Default.GeneratorFor<int>()
                     from ticks in Gen.Choose(0, int.MaxValue).Select(t => DateTime.UnixEpoch.Ticks + (long)t * 997_331)
                     from data in JsonText.Object(3).Where(HasCanonicalForm)
                     from metadata in JsonText.Object(1).Where(HasCanonicalForm)
                     select (tenant, stream, type, streamVersion, typeVersion, at: new DateTimeOffset(ticks, TimeSpan.Zero), data, metadata);

        Prop.ForAll(record.ToArbitrary(), r =>
            {
                var eventId = Guid.NewGuid();
                using var data = JsonDocument.Parse(r.data);
                using var metadata = JsonDocument.Parse(r.metadata);
                var expected = ReferenceRecord(r.tenant, r.stream, r.streamVersion, eventId, r.type, r.typeVersion, r.at, r.data, r.metadata);

                LedgerRecord.CanonicalBytes(r.tenant, r.stream, r.streamVersion, eventId, r.type, r.typeVersion, r.at,
                    data.RootElement, metadata.RootElement).ShouldBe(expected);
                var written = new ArrayBufferWriter<byte>();
                LedgerRecord.WriteCanonical(written, r.tenant, r.stream, r.streamVersion, eventId, r.type, r.typeVersion, r.at,
                    Encoding.UTF8.GetBytes(r.data), Encoding.UTF8.GetBytes(r.metadata));
                written.WrittenSpan.ToArray().ShouldBe(expected);
            })
            .Check(Config.QuickThrowOnFailure.WithMaxTest(500));
    }

    [Fact]
    public void Numbers_format_as_the_reference_does()
    {
        var doubles = Gen.OneOf(ArbMap.Default.GeneratorFor<long>().Select(BitConverter.Int64BitsToDouble).Where(double.IsFinite),
            ArbMap.Default.GeneratorFor<double>().Where(double.IsFinite));
        Prop.ForAll(doubles.ToArbitrary(), value =>
                JsonCanonicalizer.FormatNumber(value).ShouldBe(ReferenceCanonicalizer.FormatNumber(value), value.ToString("R", CultureInfo.InvariantCulture)))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(20_000));
    }

    /// <summary>The record as docs/ledger-format.md defines it, serialised plainly and canonicalised by the reference.</summary>
    private static byte[] ReferenceRecord(string tenant, string stream, long streamVersion, Guid eventId, string type, int typeVersion,
        DateTimeOffset at, string data, string metadata)
    {
        var text = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(text))
        {
            writer.WriteStartObject();
            writer.WriteString("tenant_id", tenant);
            writer.WriteNumber("stream_version", streamVersion);
            writer.WriteString("stream_id", stream);
            writer.WriteNumber("record_format", 1);
            writer.WriteString("occurred_at", LedgerRecord.FormatTimestamp(at));
            writer.WritePropertyName("metadata");
            writer.WriteRawValue(metadata);
            writer.WriteNumber("event_version", typeVersion);
            writer.WriteString("event_type", type);
            writer.WriteString("event_id", eventId.ToString("D"));
            writer.WritePropertyName("data");
            writer.WriteRawValue(data);
            writer.WriteEndObject();
        }
        return ReferenceCanonicalizer.Canonicalize(text.WrittenSpan);
    }

    private static bool IsJson(string json)
    {
        try
        {
            using var _ = JsonDocument.Parse(json);
            return true;
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            return false;
        }
    }

    private static bool HasCanonicalForm(string json) => !Outcome(() => ReferenceCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(json))).Contains(':', StringComparison.Ordinal);

    /// <summary>What a call produced, comparable: the bytes in hex, or the exception's type and message.</summary>
    private static string Outcome(Func<byte[]> canonicalize)
    {
        try
        {
            return Convert.ToHexString(canonicalize());
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }
}
