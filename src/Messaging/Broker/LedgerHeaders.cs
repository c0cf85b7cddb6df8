using System.Globalization;
using System.Text;

namespace Ledger.Messaging.Broker;

/// <summary>How to read an AMQP header value as text (RabbitMQ hands strings over as bytes).</summary>
public static class LedgerHeaders
{
    public static string? Text(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var value) ? value switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            string s => s,
            null => null,
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        } : null;
}
