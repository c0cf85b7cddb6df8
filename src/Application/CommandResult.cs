using Ledger.EventStore;
using Ledger.EventStore.MartenStore;

namespace Ledger.Application;

/// <summary>
/// What a command did: the stream's version afterwards and, when it appended, the position of its last
/// event (readers can wait for a projection to reach it). A repeated command that changed nothing has
/// <see cref="EventsAppended"/> 0 and no position.
/// </summary>
public sealed record CommandResult(string StreamId, long Version, GlobalPosition? Position, int EventsAppended)
{
    /// <summary>
    /// The result of a command that staged one event on <paramref name="streamId"/> in <paramref name="appended"/> (null:
    /// it appended nothing), read once its session has committed, when Marten has given the events their positions.
    /// </summary>
    public static CommandResult Staged(string streamId, long version, MartenAppend? appended) =>
        new(streamId, version, appended?.Result().LastPosition, appended is null ? 0 : 1);
}
