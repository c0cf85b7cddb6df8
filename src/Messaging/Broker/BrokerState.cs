namespace Ledger.Messaging.Broker;

/// <summary>Whether this process last reached the broker, since when, and the last error if not.</summary>
public sealed record BrokerState(bool Connected, DateTimeOffset Since, string? LastError)
{
    public static BrokerState Unknown(DateTimeOffset now) => new(false, now, "not connected yet");

    public override string ToString() => Connected ? "connected" : $"unreachable ({LastError})";
}
