using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Ledger.EventStore.Migrations;

/// <summary>
/// Creates and upgrades the store's schema from the numbered SQL files embedded in this assembly
/// (<c>0001_name.sql</c>). Each runs once, in order, recorded with its SHA-256 checksum; a file changed
/// after it was applied stops start-up rather than leaving the database to drift from the code.
/// Several hosts may start at once: the whole run holds an advisory lock per schema.
/// </summary>
public static class Migrator
{
    /// <summary>The event store's own migrations (versions 1–99).</summary>
    public static IReadOnlyList<Migration> Embedded => MigrationSet.EventStore.Migrations;

    public static Task MigrateAsync(NpgsqlDataSource admin, string schema, string appRole, CancellationToken ct = default) =>
        MigrateAsync(admin, schema, appRole, [MigrationSet.EventStore], ct);

    /// <summary>
    /// Applies the migrations of every given module, in version order across modules (each module owns a
    /// range of versions: see <see cref="MigrationSet"/>), then each module's grants to the application role.
    /// </summary>
    public static async Task MigrateAsync(NpgsqlDataSource admin, string schema, string appRole, IReadOnlyList<MigrationSet> sets, CancellationToken ct = default)
    {
        var migrations = MigrationSet.Combine(sets);
        await using var connection = await admin.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var quotedSchema = Quote(schema);

        await Execute(connection, tx, $"SELECT pg_advisory_xact_lock({LockKey(schema)})", ct);
        await Execute(connection, tx, $"""
            CREATE SCHEMA IF NOT EXISTS {quotedSchema};
            SET LOCAL search_path = {quotedSchema}, pg_catalog;
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer     PRIMARY KEY,
                name       text        NOT NULL,
                checksum   text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            """, ct);

        var applied = await ReadApplied(connection, tx, ct);
        foreach (var migration in migrations)
        {
            if (applied.TryGetValue(migration.Version, out var checksum))
            {
                if (checksum != migration.Checksum)
                    throw new MigrationException(
                        $"Migration {migration.Version} ({migration.Name}) changed after it was applied to schema '{schema}'. " +
                        "Applied migrations are immutable: add a new migration instead.");
                continue;
            }
            await Execute(connection, tx, migration.Sql, ct);
            await using var record = new NpgsqlCommand(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", connection, tx);
            record.Parameters.Add(new() { Value = migration.Version });
            record.Parameters.Add(new() { Value = migration.Name });
            record.Parameters.Add(new() { Value = migration.Checksum });
            await record.ExecuteNonQueryAsync(ct);
        }

        foreach (var grants in sets.Select(s => s.Grants).OfType<string>())
            await Execute(connection, tx, grants.Replace("{schema}", quotedSchema, StringComparison.Ordinal)
                .Replace("{app_role}", Quote(appRole), StringComparison.Ordinal), ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>True when every embedded migration is applied with a matching checksum (readiness).</summary>
    public static Task<bool> IsUpToDateAsync(NpgsqlDataSource dataSource, string schema, CancellationToken ct = default) =>
        IsUpToDateAsync(dataSource, schema, [MigrationSet.EventStore], ct);

    public static async Task<bool> IsUpToDateAsync(NpgsqlDataSource dataSource, string schema, IReadOnlyList<MigrationSet> sets, CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection);
        exists.Parameters.Add(new() { Value = $"{Quote(schema)}.schema_migrations" });
        if (!(bool)(await exists.ExecuteScalarAsync(ct))!) return false;

        await using var read = new NpgsqlCommand($"SELECT version, checksum FROM {Quote(schema)}.schema_migrations", connection);
        var applied = new Dictionary<int, string>();
        await using (var reader = await read.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) applied[reader.GetInt32(0)] = reader.GetString(1);
        return MigrationSet.Combine(sets).All(m => applied.TryGetValue(m.Version, out var c) && c == m.Checksum);
    }

    /// <summary>
    /// Creates a login role for the application if it is missing. For development and tests only:
    /// in production a DBA creates the role, and the migrator only grants it rights.
    /// </summary>
    public static async Task EnsureLoginRoleAsync(NpgsqlDataSource admin, string role, string password, CancellationToken ct = default)
    {
        await using var connection = await admin.OpenConnectionAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_roles WHERE rolname = $1", connection);
        exists.Parameters.Add(new() { Value = role });
        if (await exists.ExecuteScalarAsync(ct) is not null) return;
        try
        {
            var literal = password.Replace("'", "''", StringComparison.Ordinal);
            await using var create = new NpgsqlCommand($"CREATE ROLE {Quote(role)} LOGIN PASSWORD '{literal}'", connection);
            await create.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateObject or PostgresErrorCodes.UniqueViolation)
        {
            // Another process created it between our check and our create: same outcome.
        }
    }

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    // A stable 63-bit key per schema, so hosts migrating different schemas do not wait on each other.
    private static long LockKey(string schema) =>
        Leases.AdvisoryLockKey.For("ledger.migrations:" + schema) & long.MaxValue;

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<Dictionary<int, string>> ReadApplied(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT version, checksum FROM schema_migrations", connection, tx);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var applied = new Dictionary<int, string>();
        while (await reader.ReadAsync(ct)) applied[reader.GetInt32(0)] = reader.GetString(1);
        return applied;
    }
}

/// <summary>One numbered SQL file: <c>0001_event_store.sql</c> is version 1, named "event_store".</summary>
public sealed record Migration(int Version, string Name, string Sql, string Checksum)
{
    public static Migration From(string fileName, string sql)
    {
        var stem = Path.GetFileNameWithoutExtension(fileName);
        var underscore = stem.IndexOf('_', StringComparison.Ordinal);
        var version = int.Parse(stem.AsSpan(0, underscore), System.Globalization.CultureInfo.InvariantCulture);
        // Line endings normalised so a checkout on another OS does not look like an altered migration.
        var normalized = sql.Replace("\r\n", "\n", StringComparison.Ordinal);
        var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)));
        return new Migration(version, stem[(underscore + 1)..], normalized, checksum);
    }
}

public sealed class MigrationException(string message) : Exception(message);
