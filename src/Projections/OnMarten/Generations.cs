using Npgsql;

namespace Ledger.Projections.OnMarten;

/// <summary>A projection's generations as the rebuild sees them: the live one, and one being built beside it, if any.</summary>
internal sealed record Generations(int Live, int? Building, int Highest)
{
    public static async Task<Generations> LoadAsync(NpgsqlDataSource db, string name, CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            SELECT p.live_generation,
                   (SELECT max(c.generation) FROM projection_generations c
                     WHERE c.name = p.name AND c.generation > p.live_generation AND c.status <> 'retired'),
                   greatest(p.live_generation, (SELECT max(c.generation) FROM projection_generations c WHERE c.name = p.name))
              FROM projections p WHERE p.name = $1
            """);
        command.Parameters.Add(new() { Value = name });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
            throw new ProjectionNotFoundException(name);
        return new Generations(reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetInt32(1), reader.GetInt32(2));
    }

    /// <summary>Creates a generation's tables (DDL: the owner's connection) and grants the application role its rights.</summary>
    public static async Task CreateAsync(NpgsqlDataSource admin, string name, int generation, string appRole, CancellationToken ct)
    {
        await using var connection = await admin.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var create = new NpgsqlCommand("SELECT projection_create_generation($1, $2)", connection, transaction))
        {
            create.Parameters.Add(new() { Value = name });
            create.Parameters.Add(new() { Value = generation });
            await create.ExecuteNonQueryAsync(ct);
        }
        await using (var grant = new NpgsqlCommand("SELECT projection_grant_generation($1, $2, $3::text::regrole)", connection, transaction))
        {
            grant.Parameters.Add(new() { Value = name });
            grant.Parameters.Add(new() { Value = generation });
            grant.Parameters.Add(new() { Value = EventStore.Migrations.Migrator.Quote(appRole) });
            await grant.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
    }

    /// <summary>Drops a generation's tables and its rows, and forgets the progress of the shard that built it.</summary>
    public static async Task DropAsync(NpgsqlDataSource admin, string name, int generation, CancellationToken ct)
    {
        await using var drop = admin.CreateCommand("SELECT projection_drop_generation($1, $2)");
        drop.Parameters.Add(new() { Value = name });
        drop.Parameters.Add(new() { Value = generation });
        await drop.ExecuteNonQueryAsync(ct);
        await ForgetShardAsync(admin, ProjectionShards.Of(name, generation), ct);
    }

    /// <summary>Deletes a building shard's row in Marten's progress table (never the live shard's).</summary>
    public static async Task ForgetShardAsync(NpgsqlDataSource admin, string shard, CancellationToken ct)
    {
        if (shard.EndsWith(":V1:All", StringComparison.Ordinal) || !shard.Contains(":V", StringComparison.Ordinal)) return;
        await using var forget = admin.CreateCommand("DELETE FROM mt_event_progression WHERE name = $1");
        forget.Parameters.Add(new() { Value = shard });
        await forget.ExecuteNonQueryAsync(ct);
    }
}

public sealed class ProjectionNotFoundException(string name) : Exception($"There is no projection named '{name}'.")
{
    public string Name { get; } = name;
}
