using System.Buffers;
using System.Security.Cryptography;

namespace Ledger.Messaging.Contracts;

/// <summary>
/// The W3C <c>traceparent</c> header (version 00) for a published event. The trace id is the event's own
/// (from the request that caused it); an event recorded without one starts a trace named after the event id,
/// so every message can be followed. The parent span id is derived from the event id, so a re-published
/// message carries the same header as the first copy.
/// </summary>
public static class TraceParent
{
    public const string Header = "traceparent";

    /// <summary>The event's trace id when it is a valid W3C one, else one derived from the event id.</summary>
    public static string TraceIdFor(string? traceId, Guid eventId)
    {
        if (IsValidTraceId(traceId)) return traceId!;
        Span<byte> id = stackalloc byte[16];
        eventId.TryWriteBytes(id, bigEndian: true, out _);
        return Convert.ToHexStringLower(id);
    }

    public static string Create(string traceId, Guid eventId)
    {
        Span<byte> id = stackalloc byte[16];
        eventId.TryWriteBytes(id, bigEndian: true, out _);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(id, hash);
        var span = hash[..8];
        span[^1] |= 1; // never the all-zero span id W3C forbids
        return string.Concat("00-", traceId, "-", Convert.ToHexStringLower(span), "-01");
    }

    /// <summary>The trace id of a <c>traceparent</c> value, if it is a well-formed version-00 header.</summary>
    public static bool TryReadTraceId(string? header, out string traceId)
    {
        traceId = "";
        if (header is null || header.Length != 55 || !header.StartsWith("00-", StringComparison.Ordinal) || header[35] != '-' || header[52] != '-')
            return false;
        var candidate = header.Substring(3, 32);
        if (!IsValidTraceId(candidate)) return false;
        traceId = candidate;
        return true;
    }

    public static bool IsValidTraceId(string? traceId) =>
        traceId is { Length: 32 } && !traceId.AsSpan().ContainsAnyExcept(LowerHex) && traceId.AsSpan().ContainsAnyExcept('0');

    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");
}
