using Ledger.EventStore;
using Ledger.TestSupport;
using Npgsql;
using static Ledger.TestSupport.TestEvents;

namespace Ledger.EventStore.Tests.Store;

/// <summary>Nothing is ever updated or deleted in the event tables: the role lacks the rights, and a trigger refuses even the owner.</summary>
public sealed class AppendOnlyTests : IAsyncLifetime
{
    private TestDatabase db = null!;
    private readonly string tenant = TestDatabase.NewTenant();

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync();
        await db.Store.AppendAsync(tenant, [To("s", ExpectedVersion.NoStream, Event(), Event())]);
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    [Theory]
    [InlineData("UPDATE events SET data = '{\"forged\": true}'")]
    [InlineData("DELETE FROM events")]
    [InlineData("TRUNCATE events")]
    [InlineData("INSERT INTO events (tenant_id, chain_seq, stream_id, stream_version, event_id, event_type, type_version, occurred_at, data, metadata, entry_hash, chain_hash) SELECT tenant_id, chain_seq + 100, stream_id, stream_version + 100, gen_random_uuid(), event_type, type_version, occurred_at, data, metadata, entry_hash, chain_hash FROM events")]
    [InlineData("UPDATE chain_heads SET chain_seq = 0")]
    [InlineData("DELETE FROM streams")]
    public async Task The_application_role_cannot_change_or_bypass_the_event_tables(string sql)
    {
        var error = await Should.ThrowAsync<PostgresException>(() => Execute(db.AppDataSource, sql));
        error.SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
        (await db.Store.ReadStreamAsync(tenant, "s")).Count.ShouldBe(2);
    }

    [Theory]
    [InlineData("UPDATE events SET data = '{\"forged\": true}'")]
    [InlineData("DELETE FROM events")]
    [InlineData("TRUNCATE events")]
    public async Task Even_the_owner_is_refused_by_the_trigger(string sql)
    {
        var error = await Should.ThrowAsync<PostgresException>(() => Execute(db.AdminDataSource, sql));
        error.SqlState.ShouldBe("LE403");
        (await db.Store.ReadStreamAsync(tenant, "s")).Count.ShouldBe(2);
    }

    private static async Task Execute(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
