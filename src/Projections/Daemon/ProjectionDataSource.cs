using Npgsql;

namespace Ledger.Projections.Daemon;

/// <summary>
/// The connection pool the daemon and rebuilds apply batches through: the application role's connection string,
/// with the settings batches need. Auto-prepare: a catch-up runs the same few statements hundreds of times per
/// batch, and preparing them roughly doubles throughput. Include Failed Batched Command: Npgsql then says which
/// statement of a batch failed, so a poison event is named at once (without it, the runner finds it by applying
/// the batch one event at a time).
/// </summary>
public static class ProjectionDataSource
{
    /// <param name="applicationName">what <c>pg_stat_activity</c> shows, unless the connection string names the application already.</param>
    public static NpgsqlDataSource Create(string appConnectionString, string applicationName = "ledger-projections")
    {
        var builder = new NpgsqlConnectionStringBuilder(appConnectionString)
        {
            MaxAutoPrepare = 64,
            AutoPrepareMinUsages = 2,
            IncludeFailedBatchedCommand = true,
            // No pool reset, as for the store's pool (LedgerDataSource): nothing here outlives a transaction, and the
            // reset's statements would run on every checkout.
            NoResetOnClose = true,
        };
        if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = applicationName;
        return NpgsqlDataSource.Create(builder.ConnectionString);
    }
}
