using Npgsql;

namespace Ledger.Bench.Scenarios.PersonalData;

/// <summary>
/// Whether the key statement (<c>SubjectKeys.ForSealingAsync</c>) ran prepared on the pool's connections after the
/// rounds: unprepared, PostgreSQL parses and plans its three-part CTE on every order, which costs more than running it.
/// Read from <c>pg_prepared_statements</c> on as many of the pool's physical connections as can be held at once.
/// </summary>
public static class PreparedStatements
{
    public static async Task<string> DescribeAsync(NpgsqlDataSource pool, int connections)
    {
        var held = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < connections; i++) held.Add(await pool.OpenConnectionAsync());
            var withKey = 0;
            long generic = 0, custom = 0;
            var counts = new List<long>();
            foreach (var connection in held)
            {
                await using var command = new NpgsqlCommand("""
                    SELECT count(*),
                           count(*) FILTER (WHERE statement LIKE '%INSERT INTO subject_keys%'),
                           coalesce(sum(generic_plans) FILTER (WHERE statement LIKE '%INSERT INTO subject_keys%'), 0),
                           coalesce(sum(custom_plans) FILTER (WHERE statement LIKE '%INSERT INTO subject_keys%'), 0)
                      FROM pg_prepared_statements
                    """, connection);
                await using var reader = await command.ExecuteReaderAsync();
                await reader.ReadAsync();
                counts.Add(reader.GetInt64(0));
                if (reader.GetInt64(1) > 0) withKey++;
                generic += reader.GetInt64(2);
                custom += reader.GetInt64(3);
            }
            return $"the key statement prepared on {withKey} of {held.Count} pooled connections ({generic:N0} executions on a generic plan, " +
                   $"{custom:N0} planned for their parameters); statements prepared per connection {counts.Min()}–{counts.Max()} " +
                   $"(Npgsql auto-prepares up to {new NpgsqlConnectionStringBuilder(pool.ConnectionString).MaxAutoPrepare} per connection)";
        }
        finally
        {
            foreach (var connection in held) await connection.DisposeAsync();
        }
    }
}
