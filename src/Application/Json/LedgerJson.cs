using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Ledger.Application.Json;

/// <summary>
/// How event data is written as JSON: snake_case names, money as decimal strings ("12.50", never a JSON number,
/// so no reader ever parses it as a float), enums as snake_case strings, absent values left out rather than
/// written as null. Reading is strict: a required constructor parameter or a non-nullable member that is missing
/// or null is an error, not a silent default.
/// </summary>
public static class LedgerJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
            Converters =
            {
                new DecimalStringConverter(),
                new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false),
            },
        };
        options.MakeReadOnly();
        return options;
    }
}
