using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.ReadModels;

/// <summary>A wait for a read model that times out says where every projection stands, so a failure can be read.</summary>
public static class ProjectionDiagnostics
{
    public static async Task<T> ExplainingProjectionsAsync<T>(this TestDatabase db, Func<Task<T>> wait)
    {
        try
        {
            return await wait();
        }
        catch (TimeoutException e)
        {
            await using var command = db.AdminDataSource.CreateCommand("""
                SELECT string_agg(format('%s g%s %s attempts %s failing %s at %s: %s', name, generation, status, attempts,
                                         failing_event_id, failing_seq, last_error), '; ' ORDER BY name) FROM projection_generations
                UNION ALL
                SELECT string_agg(format('%s at %s (%s)', name, last_seq_id, last_updated), '; ' ORDER BY name) FROM mt_event_progression
                UNION ALL
                SELECT format('last event %s', max(seq_id)) FROM mt_events
                """);
            var lines = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync())
                while (await reader.ReadAsync()) lines.Add(reader.IsDBNull(0) ? "" : reader.GetString(0));
            throw new TimeoutException($"{e.Message}\n{string.Join("\n", lines)}", e);
        }
    }
}
