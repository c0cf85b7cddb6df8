using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ledger.Application;

namespace Ledger.Host.Http;

/// <summary>
/// Collects what is wrong with a request, field by field, and throws one <see cref="ValidationError"/> with all of it.
/// The error's code is the one code every problem shares, or <c>validation.failed</c> when they differ.
/// </summary>
public sealed partial class RequestValidation
{
    public const string Required = "validation.required";
    public const string TooLong = "validation.too_long";
    public const string InvalidFormat = "validation.invalid_format";
    public const string OutOfRange = "validation.out_of_range";
    public const string InvalidAmount = "validation.invalid_amount";
    public const string NegativeAmount = "validation.negative_amount";
    public const string AmountNotString = "validation.amount_not_string";
    public const string Failed = "validation.failed";

    private readonly List<(string Field, string Code, string Message)> _errors = [];

    public void Fail(string field, string code, string message) => _errors.Add((field, code, message));

    /// <summary>Printable text of at most <paramref name="maxLength"/> characters, not blank.</summary>
    public string Text(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value)) Fail(field, Required, "is required");
        else if (value.Length > maxLength) Fail(field, TooLong, $"must be at most {maxLength} characters");
        else if (value.Any(char.IsControl)) Fail(field, InvalidFormat, "must not contain control characters");
        return value ?? "";
    }

    /// <summary>An identifier another system gave (customer, SKU, payment reference): letters of any script, digits and <c>._:-</c>.</summary>
    public string Identifier(string field, string? value, int maxLength)
    {
        var text = Text(field, value, maxLength);
        if (text.Length is > 0 && text.Length <= maxLength && !IdentifierPattern().IsMatch(text))
            Fail(field, InvalidFormat, "may contain only letters, digits and . _ : -");
        return text;
    }

    public Guid Uuid(string field, string? value)
    {
        if (Guid.TryParseExact(value, "D", out var id) && id != Guid.Empty) return id;
        Fail(field, InvalidFormat, "must be a UUID (8-4-4-4-12 hex digits)");
        return Guid.Empty;
    }

    /// <summary>A non-negative amount written as a JSON string of digits with an optional decimal point.</summary>
    public decimal Money(string field, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            Fail(field, AmountNotString, "must be a decimal string such as \"12.50\", not a JSON " + value.ValueKind.ToString().ToLowerInvariant());
            return 0;
        }
        if (!TryGetText(value, out var text)
            || !AmountPattern().IsMatch(text)
            || !decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            Fail(field, InvalidAmount, "must be a decimal number such as \"12.50\" (at most 18 digits before the point and 6 after)");
            return 0;
        }
        if (amount < 0) Fail(field, NegativeAmount, "must not be negative");
        return amount;
    }

    // A JSON string may escape a lone surrogate ("\ud800"), which is no text at all: GetString refuses to decode it.
    private static bool TryGetText(JsonElement value, out string text)
    {
        try
        {
            text = value.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = "";
            return false;
        }
    }

    public int Range(string field, int value, int min, int max)
    {
        if (value < min || value > max) Fail(field, OutOfRange, $"must be between {min} and {max}");
        return value;
    }

    public void ThrowIfInvalid()
    {
        if (_errors.Count == 0) return;
        var codes = _errors.Select(e => e.Code).Distinct().ToList();
        var code = codes.Count == 1 ? codes[0] : Failed;
        var errors = _errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
        throw new ValidationError(code, "One or more fields are invalid.", errors);
    }

    // Letters of any script (with their combining marks: "ñ" may arrive as n + U+0303), ASCII digits, and . _ : -
    [GeneratedRegex(@"^[\p{L}\p{M}0-9._:-]+$")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex(@"^-?[0-9]{1,18}(\.[0-9]{1,6})?$")]
    private static partial Regex AmountPattern();
}
