using Ledger.EventStore.Migrations;
using Ledger.TestSupport;
using Npgsql;

namespace Ledger.EventStore.Tests.Migrations;

public sealed class MigratorTests : IAsyncLifetime
{
    private readonly string schema = "m_" + Guid.NewGuid().ToString("N")[..16];
    private readonly NpgsqlDataSource server = NpgsqlDataSource.Create(TestDatabase.ServerAdminConnectionString);

    public Task InitializeAsync() => Migrator.EnsureLoginRoleAsync(server, TestDatabase.AppRole, TestDatabase.AppPassword);

    public async Task DisposeAsync()
    {
        await using (var drop = server.CreateCommand($"DROP SCHEMA IF EXISTS {Migrator.Quote(schema)} CASCADE"))
            await drop.ExecuteNonQueryAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Hosts_starting_together_migrate_a_schema_once_and_it_is_up_to_date()
    {
        (await Migrator.IsUpToDateAsync(server, schema)).ShouldBeFalse();

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Migrator.MigrateAsync(server, schema, TestDatabase.AppRole)));

        (await Migrator.IsUpToDateAsync(server, schema)).ShouldBeTrue();
        await using var count = server.CreateCommand($"SELECT count(*) FROM {Migrator.Quote(schema)}.schema_migrations");
        ((long)(await count.ExecuteScalarAsync())!).ShouldBe(Migrator.Embedded.Count);
    }

    [Fact]
    public async Task Running_again_changes_nothing()
    {
        await Migrator.MigrateAsync(server, schema, TestDatabase.AppRole);
        await Migrator.MigrateAsync(server, schema, TestDatabase.AppRole);
        (await Migrator.IsUpToDateAsync(server, schema)).ShouldBeTrue();
    }

    [Fact]
    public async Task A_migration_altered_after_it_was_applied_stops_the_run_and_readiness()
    {
        await Migrator.MigrateAsync(server, schema, TestDatabase.AppRole);
        await using (var alter = server.CreateCommand($"UPDATE {Migrator.Quote(schema)}.schema_migrations SET checksum = 'different' WHERE version = 10"))
            await alter.ExecuteNonQueryAsync();

        var error = await Should.ThrowAsync<MigrationException>(() => Migrator.MigrateAsync(server, schema, TestDatabase.AppRole));
        error.Message.ShouldContain("changed after it was applied");
        (await Migrator.IsUpToDateAsync(server, schema)).ShouldBeFalse();
    }

    [Fact]
    public void Embedded_migrations_are_numbered_uniquely_in_the_event_store_range_and_checksummed()
    {
        var versions = Migrator.Embedded.Select(m => m.Version).ToList();
        versions.ShouldBeUnique();
        versions.ShouldBe(versions.Order().ToList());
        versions.ShouldAllBe(v => v >= 1 && v <= 99);
        Migrator.Embedded.ShouldAllBe(m => m.Checksum.Length == 64);
        Migration.From("0001_x.sql", "a\r\nb").Checksum.ShouldBe(Migration.From("0001_x.sql", "a\nb").Checksum);
    }
}
