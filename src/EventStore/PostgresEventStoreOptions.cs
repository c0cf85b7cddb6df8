namespace Ledger.EventStore;

/// <summary>How <see cref="PostgresEventStore"/> writes.</summary>
public sealed record PostgresEventStoreOptions
{
    /// <summary>
    /// Group the appends of one tenant that arrive while that tenant's previous write is still in flight into one
    /// transaction (one call of <c>append_events_grouped</c>), each keeping its own expected-version check, its own
    /// outcome and all-or-nothing writing. A tenant whose appends come one at a time sees no difference; a busy
    /// tenant locks its chain head once per group instead of once per append. See docs/performance.md.
    /// </summary>
    public bool GroupConcurrentAppends { get; init; }

    /// <summary>At most this many appends in one group.</summary>
    public int MaxAppendsPerGroup { get; init; } = 64;

    /// <summary>At most about this many events in one group (a single larger append still goes alone).</summary>
    public int MaxEventsPerGroup { get; init; } = 2_000;
}
