using Ledger.EventStore;
using Ledger.Host.Errors;

namespace Ledger.Host.Http;

/// <summary>
/// The position a reader asks to see at least: <c>X-Ledger-Min-Position</c>, or the <c>min_position</c> query parameter,
/// holding what a write returned in <c>X-Ledger-Position</c>. Reports wait for their read model to reach it, the
/// auditor API for the ledger to be sealed through it.
/// </summary>
internal static class MinPosition
{
    public const string Header = "X-Ledger-Min-Position";

    /// <summary>The position asked for (the header first, then <paramref name="queryValue"/>), or null when none is.</summary>
    /// <exception cref="RequestRejectedException">400 with <paramref name="invalidCode"/>: it is not a position.</exception>
    public static GlobalPosition? From(HttpRequest request, string? queryValue, string invalidCode)
    {
        ArgumentNullException.ThrowIfNull(request);
        var text = request.Headers.TryGetValue(Header, out var header) ? header.ToString() : queryValue;
        if (text is null) return null;
        return GlobalPosition.TryParse(text, out var position)
            ? position
            : throw new RequestRejectedException(StatusCodes.Status400BadRequest, invalidCode,
                $"{Header} must be a position as write responses give it in X-Ledger-Position (a sequence number).");
    }
}
