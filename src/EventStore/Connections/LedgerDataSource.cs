using Npgsql;

namespace Ledger.EventStore.Connections;

/// <summary>
/// How Ledger's processes connect as the application role: one pool per process, with the pool's reset turned off.
/// </summary>
/// <remarks>
/// Npgsql resets a pooled connection when it is handed out again, with <c>DISCARD ALL</c> unless the connection
/// string says <c>No Reset On Close</c>. <c>DISCARD ALL</c> includes <c>DISCARD PLANS</c>, which throws away every plan
/// PL/pgSQL cached for Marten's <c>mt_quick_append_events</c>: each append then plans all of the function's statements
/// again (plain Marten on Npgsql's default pool ran at about 0.6× itself on this pool, bench scenario 1). Turning the reset off is safe because nothing Ledger does
/// outlives a transaction on a pooled connection: settings are transaction-local (<c>set_config(…, true)</c>,
/// <c>SET LOCAL</c>), the search path comes from the connection string, and the two session-level states, a lease's
/// advisory lock and a listener's LISTEN, are undone before their connection goes back to the pool
/// (<see cref="Leases.AdvisoryLease"/>).
/// <para>
/// Auto-prepare: the few statements an application runs all the time (Marten's append, the read in store order,
/// a stream's read) are parsed and planned once per connection instead of once per call. The statements name their
/// columns, so a migration that adds a column does not invalidate them.
/// </para>
/// </remarks>
public static class LedgerDataSource
{
    /// <summary>The schema a data source works in: the first entry of its search path (empty when it sets none).</summary>
    public static string SchemaOf(NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        return new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).SearchPath?.Split(',')[0].Trim() ?? "";
    }

    /// <param name="connectionString">the application role's connection string, search path included.</param>
    /// <param name="applicationName">what <c>pg_stat_activity</c> shows, unless the connection string names it already.</param>
    public static NpgsqlDataSource Create(string connectionString, string applicationName = "ledger") =>
        NpgsqlDataSource.Create(ConnectionString(connectionString, applicationName));

    /// <summary>The connection string <see cref="Create"/> uses.</summary>
    public static string ConnectionString(string connectionString, string applicationName = "ledger")
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            NoResetOnClose = true,
            MaxAutoPrepare = 32,
            AutoPrepareMinUsages = 2,
        };
        if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = applicationName;
        return builder.ConnectionString;
    }
}
