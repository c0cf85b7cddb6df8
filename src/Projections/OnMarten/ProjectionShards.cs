using System.Globalization;

namespace Ledger.Projections.OnMarten;

/// <summary>
/// The names of the read models' shards in Marten's progress table (<c>mt_event_progression</c>): Marten names a
/// projection's only shard <c>{name}:All</c>, and version n of it <c>{name}:V{n}:All</c>. The live projection is
/// version 1; a rebuild builds generation n (n ≥ 2) as version n.
/// </summary>
public static class ProjectionShards
{
    public static string Of(string projection, int? generation) =>
        generation is { } g && g > 1 ? $"{projection}:V{g.ToString(CultureInfo.InvariantCulture)}:All" : $"{projection}:All";

    /// <summary>The live projection's shard, whose progress is the position its reports answer from.</summary>
    public static string Live(string projection) => Of(projection, null);
}
