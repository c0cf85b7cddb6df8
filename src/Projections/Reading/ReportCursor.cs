using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Ledger.Projections.Reading;

/// <summary>
/// Opaque keyset cursors: the sort key of the last row served, tagged with the report and a fingerprint of the
/// filters, so a cursor is refused (not misread) by another report or with other filters. Not secret, only opaque:
/// the tenant comes from the token, so a forged cursor can only skip around the caller's own rows.
/// </summary>
public static class ReportCursor
{
    public static string Encode(string report, string filters, params string[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var text = string.Join('\n', [report, Fingerprint(filters), .. key]);
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>The key parts of a cursor for this report and these filters.</summary>
    /// <exception cref="InvalidReportQueryException">the cursor is malformed, or from another report or other filters.</exception>
    public static string[] Decode(string cursor, string report, string filters, int keyParts)
    {
        string[] parts;
        try
        {
            parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)).Split('\n');
        }
        catch (FormatException)
        {
            throw Invalid("is not a cursor this API issued");
        }
        if (parts.Length != keyParts + 2 || parts[0] != report) throw Invalid("is not a cursor this API issued for this report");
        if (parts[1] != Fingerprint(filters)) throw Invalid("was issued for other filters; repeat the query's filters with its cursor");
        return parts[2..];
    }

    public static InvalidReportQueryException Invalid(string what) =>
        new(InvalidReportQueryException.InvalidCursor, $"The cursor {what}.");

    private static string Fingerprint(string filters) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(filters)))[..16];
}
