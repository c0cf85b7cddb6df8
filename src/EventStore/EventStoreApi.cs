using System.Text.Json;

namespace Ledger.EventStore;

/// <summary>
/// What a stream must look like for an append to go ahead. Stream versions count events:
/// the first event of a stream has version 1, so a stream that does not exist is at version 0.
/// </summary>
public readonly record struct ExpectedVersion(long Value)
{
    /// <summary>Append whatever the stream's version is (the store reads it and checks it atomically).</summary>
    public static readonly ExpectedVersion Any = new(-1);

    /// <summary>The stream must not exist yet.</summary>
    public static readonly ExpectedVersion NoStream = new(0);

    public static ExpectedVersion Exactly(long version) =>
        version >= 0 ? new(version) : throw new ArgumentOutOfRangeException(nameof(version));

    public bool IsAny => Value < 0;

    public override string ToString() => IsAny ? "any" : Value == 0 ? "no-stream" : Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Who and why, carried with every event and covered by its hash.</summary>
public sealed record EventMetadata(
    string CorrelationId,
    string? CausationId,
    string Actor,
    string? TraceId,
    string Origin);

/// <summary>An event on its way into the store. <see cref="Data"/> is a JSON object.</summary>
public sealed record EventToAppend(
    Guid EventId,
    string EventType,
    int TypeVersion,
    DateTimeOffset OccurredAt,
    JsonElement Data,
    EventMetadata Metadata);

/// <summary>The events to add to one stream, and what the stream must look like first.</summary>
public sealed record StreamAppend(string StreamId, ExpectedVersion Expected, IReadOnlyList<EventToAppend> Events);

/// <summary>
/// The outcome of one atomic append: each stream's new version and the position of the last event. The events enter
/// their tenant's chain once sealed, a moment later (their chain positions are known then: see ChainSealer).
/// </summary>
public sealed record AppendResult(IReadOnlyDictionary<string, long> StreamVersions, GlobalPosition LastPosition);

/// <summary>An event as stored, with its place in the tenant's hash chain.</summary>
public sealed record RecordedEvent(
    GlobalPosition Position,
    string TenantId,
    string StreamId,
    long StreamVersion,
    Guid EventId,
    string EventType,
    int TypeVersion,
    DateTimeOffset OccurredAt,
    JsonElement Data,
    EventMetadata Metadata,
    long ChainSeq,
    byte[] EntryHash,
    byte[] ChainHash,
    DateTimeOffset RecordedAt);

/// <summary>An expected version did not hold. Nothing of the append was written.</summary>
public sealed class ConcurrencyException(string tenantId, string streamId, ExpectedVersion expected, long actualVersion)
    : Exception($"Stream '{streamId}' is at version {actualVersion}, expected {expected}.")
{
    public string TenantId { get; } = tenantId;
    public string StreamId { get; } = streamId;
    public ExpectedVersion Expected { get; } = expected;
    public long ActualVersion { get; } = actualVersion;
}

public interface IEventStore
{
    /// <summary>Appends to one or several streams of one tenant in one transaction, or to none of them.</summary>
    /// <exception cref="ConcurrencyException">an expected version did not hold.</exception>
    Task<AppendResult> AppendAsync(string tenantId, IReadOnlyList<StreamAppend> streams, CancellationToken ct = default);

    /// <summary>A stream's events in version order, from <paramref name="fromVersion"/> on; empty if it does not exist.</summary>
    Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string tenantId, string streamId, long fromVersion = 1, CancellationToken ct = default);

    /// <summary>
    /// Up to <paramref name="max"/> committed events after <paramref name="after"/>, across all tenants, in an order
    /// that never skips a committed event: nothing at or before the last returned position can commit later.
    /// </summary>
    Task<IReadOnlyList<RecordedEvent>> ReadAllAsync(GlobalPosition after, int max, CancellationToken ct = default);
}
