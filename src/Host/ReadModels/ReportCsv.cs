using System.Globalization;
using System.Text;

namespace Ledger.Host.ReadModels;

/// <summary>
/// A report as RFC 4180 CSV: a header row, then one line per row, fields quoted when they need it. Text that a
/// spreadsheet would take for a formula (starting with = + - @) gets a leading apostrophe; a plain number such as an
/// amount ("-10.89") cannot be a formula and is never altered.
/// </summary>
internal sealed partial class ReportCsv(params string[] columns)
{
    private readonly StringBuilder _text = new StringBuilder().AppendJoin(',', columns).Append("\r\n");

    public ReportCsv Row(params object?[] fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        _text.AppendJoin(',', fields.Select(Field)).Append("\r\n");
        return this;
    }

    public override string ToString() => _text.ToString();

    private static string Field(object? value) => value switch
    {
        null => "",
        decimal amount => amount.ToString(CultureInfo.InvariantCulture),
        int or long => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        DateTimeOffset instant => instant.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture),
        DateOnly day => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => Quote(Defuse(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")),
    };

    private static string Defuse(string text) =>
        text.Length > 0 && "=+-@\t\r".Contains(text[0], StringComparison.Ordinal) && !PlainNumber().IsMatch(text) ? "'" + text : text;

    [System.Text.RegularExpressions.GeneratedRegex(@"^-?[0-9]+(\.[0-9]+)?$")]
    private static partial System.Text.RegularExpressions.Regex PlainNumber();

    private static string Quote(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
}
