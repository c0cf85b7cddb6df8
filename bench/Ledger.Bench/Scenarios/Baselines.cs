using Ledger.Bench.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Bench.Scenarios;

/// <summary>The plain tables and statements the append baselines use: what PostgreSQL does without Ledger.</summary>
public static class Baselines
{
    /// <summary>The minimal events table of the issue: bigserial, unique (stream, version), jsonb.</summary>
    public const string MinimalEventsTable = """
        CREATE TABLE events (
            seq       bigserial PRIMARY KEY,
            stream_id text   NOT NULL,
            version   bigint NOT NULL,
            data      jsonb  NOT NULL,
            UNIQUE (stream_id, version)
        );
        """;

    public const string InsertOne = "INSERT INTO events (stream_id, version, data) VALUES ($1, $2, $3)";

    public static async Task InsertAsync(NpgsqlDataSource dataSource, string streamId, long version, string data)
    {
        await using var command = dataSource.CreateCommand(InsertOne);
        command.Parameters.Add(new() { Value = streamId });
        command.Parameters.Add(new() { Value = version });
        command.Parameters.Add(new() { Value = data, NpgsqlDbType = NpgsqlDbType.Jsonb });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Fills the minimal table by binary COPY: (stream, version, data) rows from <paramref name="rows"/>.</summary>
    public static async Task CopyMinimalAsync(NpgsqlDataSource dataSource, IEnumerable<(string Stream, long Version, string Data)> rows)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var writer = await connection.BeginBinaryImportAsync("COPY events (stream_id, version, data) FROM STDIN (FORMAT BINARY)");
        foreach (var (stream, version, data) in rows)
        {
            await writer.StartRowAsync();
            await writer.WriteAsync(stream, NpgsqlDbType.Text);
            await writer.WriteAsync(version, NpgsqlDbType.Bigint);
            await writer.WriteAsync(data, NpgsqlDbType.Jsonb);
        }
        await writer.CompleteAsync();
    }
}
