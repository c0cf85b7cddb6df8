using System.Text.Json;

namespace Ledger.EventStore.MartenStore;

/// <summary>
/// Which .NET type stores each Ledger event type and version in Marten, and under which name. Marten keeps events as
/// typed .NET objects and names each type by an alias; Ledger's codecs name their events themselves
/// (<c>commerce.order.created</c>, version 1) and keep one stored-shape record per name and version. This registry
/// joins the two: each shape is mapped to Marten as <see cref="Alias"/> of its name and version, so Marten's
/// <c>mt_events.type</c> holds Ledger's own names and renaming a class changes nothing that is stored.
/// </summary>
public sealed class EventShapes
{
    private readonly Dictionary<(string Name, int Version), Type> byName = [];
    private readonly Dictionary<Type, (string Name, int Version)> byType = [];

    /// <summary>
    /// The name Marten stores: the event type for version 1, <c>{type}.v{version}</c> after it, so every version of a
    /// type has its own alias (Marten maps one .NET type to one alias) and today's names stay as they are.
    /// </summary>
    public static string Alias(string eventType, int typeVersion) =>
        typeVersion == 1 ? eventType : $"{eventType}.v{typeVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>Registers the stored shape of an event type and version.</summary>
    /// <exception cref="ArgumentException">the name and version, or the type, is registered already with another partner.</exception>
    public EventShapes Add(string eventType, int typeVersion, Type shape)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(eventType);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(typeVersion);
        var key = (eventType, typeVersion);
        if (byName.TryGetValue(key, out var known) && known != shape)
            throw new ArgumentException($"'{eventType}' v{typeVersion} is stored as {known.Name} already, not as {shape.Name}.");
        if (byType.TryGetValue(shape, out var name) && name != key)
            throw new ArgumentException($"{shape.Name} stores '{name.Name}' v{name.Version} already; one shape stores one event type.");
        byName[key] = shape;
        byType[shape] = key;
        return this;
    }

    public EventShapes AddRange(IEnumerable<(string EventType, int TypeVersion, Type Shape)> shapes)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        foreach (var (eventType, typeVersion, shape) in shapes) Add(eventType, typeVersion, shape);
        return this;
    }

    /// <summary>The stored shapes of every version of <paramref name="eventType"/>.</summary>
    public IEnumerable<Type> ShapesOf(string eventType) => byName.Where(m => m.Key.Name == eventType).Select(m => m.Value);

    /// <summary>What Marten's <c>type</c> column holds for every stored version of <paramref name="eventType"/>.</summary>
    public IEnumerable<string> AliasesOf(string eventType) => byName.Keys.Where(k => k.Name == eventType).Select(k => Alias(k.Name, k.Version));

    public IEnumerable<(string Alias, Type Shape)> Mappings => byName.Select(m => (Alias(m.Key.Name, m.Key.Version), m.Value));

    /// <summary>The event's data as its stored shape, read with the options the codecs write with.</summary>
    /// <exception cref="UnknownEventShapeException">no shape is registered for the event's type and version.</exception>
    /// <exception cref="JsonException">the data does not have the shape its type promises.</exception>
    public object ToShape(EventToAppend e, JsonSerializerOptions json)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (!byName.TryGetValue((e.EventType, e.TypeVersion), out var shape))
            throw new UnknownEventShapeException(e.EventType, e.TypeVersion);
        return e.Data.Deserialize(shape, Lenient(json)) ?? throw new JsonException($"'{e.EventType}' v{e.TypeVersion} has no data.");
    }

    /// <summary>
    /// An event Marten loaded (its data a stored shape) as a <see cref="RecordedEvent"/> with the data as the codecs
    /// wrote it, for code that reads events by Ledger's names (the read models). Such an event may not be sealed yet:
    /// its chain members are empty.
    /// </summary>
    /// <exception cref="UnknownEventShapeException">the data's type is no registered shape.</exception>
    public RecordedEvent ToRecorded(JasperFx.Events.IEvent e, JsonSerializerOptions json)
    {
        ArgumentNullException.ThrowIfNull(e);
        var type = e.Data.GetType();
        if (!byType.TryGetValue(type, out var name)) throw new UnknownEventShapeException(e.EventTypeName, 0);
        return new RecordedEvent(new GlobalPosition(e.Sequence), e.TenantId, e.StreamKey ?? e.StreamId.ToString(), e.Version, e.Id,
            name.Name, name.Version, e.Timestamp, JsonSerializer.SerializeToElement(e.Data, type, json),
            MetadataOf(e), 0, [], [], e.Timestamp);
    }

    /// <summary>
    /// Whether an event is one of Marten's tombstones (stream <c>mt_tombstone</c>): written for the sequence numbers a
    /// refused append had drawn, so the sequence has no gaps. It is in the ledger (it was stored) but is no Ledger
    /// event: read models have nothing to do with it.
    /// </summary>
    public static bool IsTombstone(JasperFx.Events.IEvent e) =>
        e is not null && (e.StreamKey == TombstoneStream || e.EventTypeName == "tombstone");

    /// <summary>The stream Marten writes its tombstones to.</summary>
    public const string TombstoneStream = "mt_tombstone";

    private static EventMetadata MetadataOf(JasperFx.Events.IEvent e) => new(
        e.CorrelationId ?? "", e.CausationId, Header(e, "actor") ?? "", Header(e, "trace_id"), Header(e, "origin") ?? "");

    private static string? Header(JasperFx.Events.IEvent e, string name) =>
        e.Headers is { } headers && headers.TryGetValue(name, out var value) ? value?.ToString() : null;

    // The data was written from the shape by the codec, which leaves null members out; reading it back must take a
    // missing member as the null it was, where a strict reader (LedgerJson's) asks for every constructor parameter.
    private JsonSerializerOptions Lenient(JsonSerializerOptions json)
    {
        var cached = Volatile.Read(ref lenient);
        if (cached is not null && ReferenceEquals(cached.For, json)) return cached.Relaxed;
        var relaxed = new JsonSerializerOptions(json) { RespectRequiredConstructorParameters = false };
        relaxed.MakeReadOnly();
        Volatile.Write(ref lenient, new LenientOptions(json, relaxed));
        return relaxed;
    }

    private sealed record LenientOptions(JsonSerializerOptions For, JsonSerializerOptions Relaxed);

    private LenientOptions? lenient;
}

/// <summary>An append named an event type and version that no module registered a stored shape for.</summary>
public sealed class UnknownEventShapeException(string eventType, int typeVersion)
    : ArgumentException($"No stored shape is registered for event type '{eventType}' v{typeVersion}.");
