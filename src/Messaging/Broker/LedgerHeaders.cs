using System.Globalization;
using System.Text;

namespace Ledger.Messaging.Broker;

/// <summary>The AMQP headers Ledger sets on retried and dead-lettered messages, and how to read header values.</summary>
public static class LedgerHeaders
{
    /// <summary>Which delivery of the message this is: 1 for the first, counted across retries.</summary>
    public const string Attempt = "x-ledger-attempt";
    public const string OutageRetries = "x-ledger-outage-retries";
    public const string LastError = "x-ledger-last-error";

    public const string ErrorType = "x-ledger-error-type";
    public const string ErrorMessage = "x-ledger-error-message";
    public const string Attempts = "x-ledger-attempts";
    public const string FailedAt = "x-ledger-failed-at";
    public const string OriginalQueue = "x-ledger-original-queue";
    public const string ReplayedAt = "x-ledger-replayed-at";

    /// <summary>Headers the broker adds when it dead-letters (our delay queues); never copied into a new publish.</summary>
    public static bool IsBrokerDeathHeader(string name) =>
        name is "x-death" or "x-first-death-exchange" or "x-first-death-queue" or "x-first-death-reason"
            or "x-last-death-exchange" or "x-last-death-queue" or "x-last-death-reason";

    public static string? Text(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var value) ? value switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            string s => s,
            null => null,
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        } : null;

    public static int Number(IDictionary<string, object?>? headers, string name, int fallback) =>
        headers is not null && headers.TryGetValue(name, out var value) ? value switch
        {
            int i => i,
            long l => (int)l,
            short s => s,
            byte b => b,
            byte[] bytes when int.TryParse(Encoding.UTF8.GetString(bytes), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
            string s when int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => fallback,
        } : fallback;

    /// <summary>Keeps a header value within what a broker and a log line can carry.</summary>
    public static string Truncate(string text, int max = 1000) => text.Length <= max ? text : text[..max] + "…";
}
