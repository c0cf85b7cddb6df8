using Ledger.EventStore;

namespace Ledger.Host.WritePath;

/// <summary>
/// The <see cref="IEventStore"/> handlers get. Inside a write request (see <see cref="WritePathMiddleware"/>) an append
/// goes through the request's <see cref="WriteScope"/>, so the command's events, its audit entry and its idempotency
/// key commit together; anywhere else (background work, tests, the CLI) it is the store itself. Reads always go to
/// the store.
/// </summary>
public sealed class WritePathEventStore(IEventStore inner) : IEventStore
{
    /// <summary>The store this decorates, for components that need its own type (its Appended hook).</summary>
    public IEventStore Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    public Task<AppendResult> AppendAsync(string tenantId, IReadOnlyList<StreamAppend> streams, CancellationToken ct = default) =>
        WriteScope.Current is { } scope ? scope.AppendAsync(tenantId, streams, ct) : Inner.AppendAsync(tenantId, streams, ct);

    public Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string tenantId, string streamId, long fromVersion = 1, CancellationToken ct = default) =>
        Inner.ReadStreamAsync(tenantId, streamId, fromVersion, ct);

    public Task<IReadOnlyList<RecordedEvent>> ReadAllAsync(GlobalPosition after, int max, CancellationToken ct = default) =>
        Inner.ReadAllAsync(after, max, ct);
}
