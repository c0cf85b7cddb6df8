using Ledger.EventStore;
using Ledger.TestSupport;
using Marten;
using Npgsql;
using static Ledger.TestSupport.TestEvents;

namespace Ledger.EventStore.Tests.Store;

/// <summary>
/// Marten's events and the chain over them are append-only, enforced by the database: the application role has no
/// right to change or remove them, a trigger refuses even the owner, and Marten's own archive and delete paths fail.
/// </summary>
public sealed class AppendOnlyTests : IAsyncLifetime
{
    private TestDatabase _ledger = null!;
    private readonly string _tenant = TestDatabase.NewTenant();

    public async Task InitializeAsync()
    {
        _ledger = await TestDatabase.CreateAsync();
        await _ledger.EventStore.AppendAsync(_tenant, [To("s", ExpectedVersion.NoStream, Event(), Event())]);
        await _ledger.SealedAsync();
    }

    public async Task DisposeAsync() => await _ledger.DisposeAsync();

    [Theory]
    [InlineData("UPDATE mt_events SET data = '{\"forged\": true}'")]
    [InlineData("DELETE FROM mt_events")]
    [InlineData("TRUNCATE mt_events")]
    [InlineData("UPDATE ledger_chain SET entry_hash = chain_hash")]
    [InlineData("DELETE FROM ledger_chain")]
    [InlineData("TRUNCATE ledger_chain")]
    [InlineData("DELETE FROM mt_streams")]
    [InlineData("DELETE FROM ledger_chain_heads")]
    public async Task The_application_role_cannot_change_or_remove_events_or_chain_entries(string sql)
    {
        var error = await Should.ThrowAsync<PostgresException>(() => Execute(_ledger.AppDataSource, sql));
        error.SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
        await TheLedgerIsIntact();
    }

    [Theory]
    [InlineData("UPDATE mt_events SET data = '{\"forged\": true}'")]
    [InlineData("UPDATE mt_events SET is_archived = true")]
    [InlineData("DELETE FROM mt_events")]
    [InlineData("TRUNCATE mt_events CASCADE")]
    [InlineData("UPDATE ledger_chain SET entry_hash = chain_hash")]
    [InlineData("DELETE FROM ledger_chain")]
    [InlineData("TRUNCATE ledger_chain")]
    [InlineData("DELETE FROM mt_streams")]
    public async Task Even_the_owner_is_refused_by_the_triggers(string sql)
    {
        var error = await Should.ThrowAsync<PostgresException>(() => Execute(_ledger.AdminDataSource, sql));
        error.SqlState.ShouldBe("LE403");
        await TheLedgerIsIntact();
    }

    [Fact]
    public async Task Martens_archive_and_tombstone_paths_are_refused_for_the_application()
    {
        await using (var session = _ledger.Documents.LightweightSession(_tenant))
        {
            session.Events.ArchiveStream("s");
            await Should.ThrowAsync<Exception>(() => session.SaveChangesAsync());
        }
        await Should.ThrowAsync<Exception>(() => _ledger.Documents.Advanced.Clean.DeleteAllEventDataAsync());
        await TheLedgerIsIntact();
    }

    private async Task TheLedgerIsIntact()
    {
        (await _ledger.EventStore.ReadStreamAsync(_tenant, "s")).Count.ShouldBe(2);
        await using var command = _ledger.AdminDataSource.CreateCommand(
            "SELECT (SELECT count(*) FROM ledger_chain), (SELECT count(*) FROM mt_events WHERE NOT is_archived)");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        (reader.GetInt64(0), reader.GetInt64(1)).ShouldBe((2L, 2L));
    }

    private static async Task Execute(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
