using System.Globalization;
using Ledger.Host.Errors;

namespace Ledger.Host.Http;

/// <summary>A stream version as an entity tag (<c>"7"</c>), and <c>If-Match</c> as the version a write expects.</summary>
public static class ETags
{
    public static string Of(long version) => "\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";

    /// <summary>The expected version from <c>If-Match</c>, null when absent.</summary>
    /// <exception cref="RequestRejectedException">the header is not one strong tag holding a version.</exception>
    public static long? ExpectedVersion(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var values = request.Headers.IfMatch;
        if (values.Count == 0) return null;
        var text = values.Count == 1 ? values[0]!.Trim() : "";
        if (text.Length >= 3 && text[0] == '"' && text[^1] == '"'
            && long.TryParse(text.AsSpan(1, text.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            return version;
        throw new RequestRejectedException(StatusCodes.Status400BadRequest, ProblemCodes.InvalidIfMatch,
            "If-Match must be one entity tag holding a version, as returned in ETag (for example \"3\").");
    }
}
