using System.Globalization;
using System.Text.RegularExpressions;

namespace Ledger.Domain.Invoicing;

/// <summary>
/// A document's number: its series (<c>A-2026</c>) and its place in it (1, 2, 3… without gaps). Written as
/// <c>A-2026/000001</c>, the form printed on the document and sent to tax authorities.
/// </summary>
public sealed partial record InvoiceNumber(string Series, long Sequence)
{
    /// <summary>Upper-case letters, digits and dashes, starting with a letter or digit, at most 20 characters.</summary>
    public static bool IsValidSeries(string? series) => series is not null && SeriesPattern().IsMatch(series);

    public string Text => string.Create(CultureInfo.InvariantCulture, $"{Series}/{Sequence:D6}");

    public override string ToString() => Text;

    [GeneratedRegex("^[A-Z0-9][A-Z0-9-]{0,19}$")]
    private static partial Regex SeriesPattern();
}
