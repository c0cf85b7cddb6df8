using System.Text.Json;
using Ledger.Application.Json;
using Ledger.Application.Orders;
using Ledger.EventStore;

namespace Ledger.Application.Invoicing.Events;

/// <summary>Reading and writing the stored shapes of fiscal events with <see cref="LedgerJson.Options"/>.</summary>
internal static class FiscalJson
{
    public static EncodedEvent Write<T>(string eventType, T data, int typeVersion = 1) =>
        new(eventType, typeVersion, JsonSerializer.SerializeToElement(data, LedgerJson.Options));

    public static T Read<T>(JsonElement data) where T : class =>
        data.ValueKind == JsonValueKind.Object
            ? data.Deserialize<T>(LedgerJson.Options) ?? throw new JsonException($"No data for {typeof(T).Name}.")
            : throw new JsonException($"Event data must be a JSON object, found {data.ValueKind}.");

    /// <summary>Decodes with <paramref name="decode"/>, naming the event when its data does not have its type's shape.</summary>
    public static TEvent Decode<TEvent>(RecordedEvent recorded, Func<string, int, JsonElement, TEvent> decode)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        try
        {
            return decode(recorded.EventType, recorded.TypeVersion, recorded.Data);
        }
        catch (JsonException error)
        {
            throw new JsonException(
                $"Event {recorded.EventId} ({recorded.EventType} v{recorded.TypeVersion}) at {recorded.StreamId}@{recorded.StreamVersion} " +
                $"does not have the data shape of its type: {error.Message}", error);
        }
    }

    public static UnknownEventTypeException Unknown(string eventType, int typeVersion) => new(eventType, typeVersion);
}
