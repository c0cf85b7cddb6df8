using Ledger.Projections.Daemon;
using Ledger.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ledger.Projections.Tests.Infrastructure;

/// <summary>From-scratch generations to compare a live read model against, row by row.</summary>
public static class GenerationCompare
{
    /// <summary>Builds a new generation of <paramref name="projection"/> from the first event to the last, beside the live one.</summary>
    public static async Task<int> BuildFromScratchAsync(TestDatabase db, IProjection projection, ProjectionDaemonOptions? options = null, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        var ct = CancellationToken.None;
        var generation = (await Generations.LoadAsync(db.AdminDataSource, projection.Name, ct)).Highest + 1;
        await Generations.CreateAsync(db.AdminDataSource, projection.Name, generation, TestDatabase.AppRole, ct);
        await using var dataSource = ProjectionDataSource.Create(db.AppConnectionString, "from-scratch");
        var runner = new ProjectionRunner(projection, generation, dataSource, db.Store, options ?? new ProjectionDaemonOptions { BatchSize = 1000 }, logger ?? NullLogger.Instance);
        // Until nothing is left after the checkpoint; events held above the read horizon by another test's open
        // transaction are read as soon as it ends.
        StepOutcome outcome;
        while ((outcome = await runner.StepAsync(ct)) != StepOutcome.Idle)
        {
            outcome.ShouldNotBeOneOf(StepOutcome.Stopped, StepOutcome.Retired);
            if (outcome == StepOutcome.Blocked) await Task.Yield();
        }
        return generation;
    }

    /// <summary>Rows in one generation's tables and not the other's (either way, duplicates counted), and the rows compared.</summary>
    public static async Task<(long Differences, long Rows)> CompareAsync(TestDatabase db, string projection, int a, int b)
    {
        var tables = await db.AdminDataSource.ScalarAsync<string[]>("SELECT tables FROM projections WHERE name = $1", projection);
        long differences = 0, rows = 0;
        foreach (var table in tables)
        {
            var (ta, tb) = ($"{table}_g{a}", $"{table}_g{b}");
            differences += await db.AdminDataSource.ScalarAsync<long>(
                $"SELECT count(*) FROM ((TABLE {ta} EXCEPT ALL TABLE {tb}) UNION ALL (TABLE {tb} EXCEPT ALL TABLE {ta})) d");
            rows += await db.AdminDataSource.ScalarAsync<long>($"SELECT count(*) FROM {ta}");
        }
        return (differences, rows);
    }
}
