using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ledger.Application.Json;

/// <summary>
/// Writes a decimal as an invariant-culture JSON string that keeps its scale (12.50m → "12.50"), and reads it back
/// from such a string only. A JSON number is refused: money that went through a double may already be wrong.
/// </summary>
public sealed class DecimalStringConverter : JsonConverter<decimal>
{
    private const NumberStyles Money = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;

    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw new JsonException($"Expected a decimal as a JSON string (\"12.50\"), found {reader.TokenType}.");
        var text = reader.GetString();
        return decimal.TryParse(text, Money, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new JsonException($"'{text}' is not a decimal number such as \"12.50\".");
    }

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
    }
}
