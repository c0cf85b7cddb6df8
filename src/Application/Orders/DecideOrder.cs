using JasperFx;
using Ledger.Domain.Orders;

namespace Ledger.Application.Orders;

/// <summary>
/// An order command as Wolverine carries it to <see cref="OrderCommandHandler"/>: the command, who sent it, and the
/// version the sender saw (from an <c>If-Match</c>), if any.
/// </summary>
/// <param name="ExpectedVersion">
/// When given, the command is decided only against exactly that version and a conflict is the sender's to resolve;
/// when null, a conflict is decided again against the new state. (Not named <c>Version</c>: Wolverine would take that
/// as the version to fetch at, and answer a mismatch with its own exception.)
/// </param>
public sealed record DecideOrder(OrderCommand Command, CommandContext Context, long? ExpectedVersion)
{
    /// <summary>The order's stream, which the aggregate handler workflow loads.</summary>
    [Identity]
    public string StreamId => OrderStreams.For(Command.OrderId);

    /// <summary>
    /// How often the handler has decided this message: Wolverine decides the same message again after a lost race, and
    /// a second attempt reads the customer's key from the table rather than trusting what the process held
    /// (<see cref="EventStore.Privacy.SubjectKeys.ForSealingInCommit"/>).
    /// </summary>
    internal int Attempts { get; set; }

    /// <summary>What a log line may say of the message: the command's kind and stream, never its data (a customer's name).</summary>
    public override string ToString() => $"DecideOrder {Command.GetType().Name} {StreamId}";
}

/// <summary>
/// What an order command did. <see cref="Position"/> is known once the handler's session has committed (Marten sets
/// each appended event's sequence on save), which is when the sender reads it.
/// </summary>
public sealed record OrderDecision(string StreamId, long Version, IReadOnlyList<JasperFx.Events.IEvent> Appended)
{
    public int EventsAppended => Appended.Count;

    public EventStore.GlobalPosition? Position => Appended.Count > 0 ? new EventStore.GlobalPosition(Appended[^1].Sequence) : null;
}
