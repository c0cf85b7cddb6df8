using Ledger.EventStore.Leases;

namespace Ledger.Projections.Daemon;

/// <summary>The advisory-lease names: one holder applies a projection's live generation, one process rebuilds it.</summary>
public static class ProjectionLeases
{
    public static string Live(string projection) => "projection:" + projection;

    public static string Rebuild(string projection) => "projection-rebuild:" + projection;

    public static long Key(string schema, string leaseName) => AdvisoryLease.KeyFor(schema, leaseName);
}
