using Ledger.Domain.Orders;
using Ledger.EventStore;

namespace Ledger.Application.Orders;

/// <summary>
/// The command path for orders: load the order's stream, fold it, decide, append what was decided with the version
/// that was read. Nothing else writes order events.
/// </summary>
public sealed class OrderHandler(IEventStore store)
{
    /// <summary>
    /// How often a command without an expected version is decided again after losing a race. Each lost race means
    /// another command committed, so a handful of attempts settles any realistic burst: after the winner commits,
    /// the others decide against its result (a replayed payment becomes a no-op, a second one is refused).
    /// </summary>
    public const int MaxAttempts = 5;

    /// <param name="expectedVersion">
    /// The version the sender saw (from an <c>If-Match</c>). When given, the command is decided only against exactly
    /// that version and a conflict is the caller's to resolve; when null, a conflict is retried against the new state.
    /// </param>
    /// <exception cref="Domain.DomainError">the order refuses the command.</exception>
    /// <exception cref="ConcurrencyException">the stream is not at <paramref name="expectedVersion"/>, or kept changing.</exception>
    public async Task<CommandResult> Handle(CommandContext context, OrderCommand command, long? expectedVersion, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(command);
        if (expectedVersion < 0)
            throw new ArgumentOutOfRangeException(nameof(expectedVersion), expectedVersion, "A stream version is never negative.");

        var streamId = OrderStreams.For(command.OrderId);
        for (var attempt = 1; ; attempt++)
        {
            var (state, version) = await Fold(context.TenantId, streamId, ct).ConfigureAwait(false);
            if (expectedVersion is { } expected && expected != version)
                throw new ConcurrencyException(context.TenantId, streamId, ExpectedVersion.Exactly(expected), version);

            var events = OrderDecider.Decide(command, state);
            if (events.Length == 0)
                return new CommandResult(streamId, version, null, 0);

            var append = new StreamAppend(streamId, ExpectedVersion.Exactly(version), [.. events.Select(e => ToAppend(e, context))]);
            try
            {
                var result = await store.AppendAsync(context.TenantId, [append], ct).ConfigureAwait(false);
                var after = result.StreamVersions.TryGetValue(streamId, out var v) ? v : version + events.Length;
                return new CommandResult(streamId, after, result.LastPosition, events.Length);
            }
            catch (ConcurrencyException) when (expectedVersion is null && attempt < MaxAttempts)
            {
                // Another command committed first: decide again against what it left.
            }
        }
    }

    /// <summary>The order as it stands, or null when it has no stream in the tenant.</summary>
    public async Task<OrderSnapshot?> Load(string tenantId, Guid orderId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        var (state, version) = await Fold(tenantId, OrderStreams.For(orderId), ct).ConfigureAwait(false);
        return version == 0 ? null : new OrderSnapshot(state, version);
    }

    private async Task<(Order State, long Version)> Fold(string tenantId, string streamId, CancellationToken ct)
    {
        var recorded = await store.ReadStreamAsync(tenantId, streamId, 1, ct).ConfigureAwait(false);
        var state = OrderDecider.Initial;
        var version = 0L;
        foreach (var e in recorded)
        {
            state = OrderDecider.Evolve(state, OrderEventCodec.Decode(e));
            version = e.StreamVersion;
        }

        return (state, version);
    }

    internal static EventToAppend ToAppend(OrderEvent e, CommandContext context)
    {
        var encoded = OrderEventCodec.Encode(e);
        return new EventToAppend(
            Guid.CreateVersion7(),
            encoded.EventType,
            encoded.TypeVersion,
            context.Now,
            encoded.Data,
            new EventMetadata(context.CorrelationId, context.CausationId, context.Actor, context.TraceId, context.Origin));
    }
}
