using System.Globalization;
using Ledger.EventStore;
using Npgsql;

namespace Ledger.Projections.Daemon;

/// <summary>One generation's row in <c>projection_checkpoints</c>: how far it has applied, and whether it may go on.</summary>
public sealed record Checkpoint(
    string Name,
    int Generation,
    GlobalPosition Position,
    string Status,
    int Attempts,
    Guid? FailingEventId,
    string? LastError)
{
    public const string Running = "running";
    public const string Failed = "failed";
    public const string Retired = "retired";

    internal const string Columns = "name, generation, seq, status, attempts, failing_event_id, last_error";

    internal static Checkpoint Read(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetInt32(1), new GlobalPosition(r.GetInt64(2)), r.GetString(3),
        r.GetInt32(4), r.IsDBNull(5) ? null : r.GetGuid(5), r.IsDBNull(6) ? null : r.GetString(6));
}
