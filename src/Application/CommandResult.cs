using Ledger.EventStore;

namespace Ledger.Application;

/// <summary>
/// What a command did: the stream's version afterwards and, when it appended, the position of its last
/// event (readers can wait for a projection to reach it). A repeated command that changed nothing has
/// <see cref="EventsAppended"/> 0 and no position.
/// </summary>
public sealed record CommandResult(string StreamId, long Version, GlobalPosition? Position, int EventsAppended);
