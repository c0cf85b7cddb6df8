using Ledger.EventStore;
using Ledger.Projections.Tests.Infrastructure;
using Ledger.TestSupport;
using Npgsql;

namespace Ledger.Projections.Tests;

/// <summary>
/// The sealed ledger's catch-up read (<see cref="IEventStore.ReadAllAsync"/>: the relay's and the exports', no longer
/// the read models', which Marten's daemon feeds) takes a page from the chain's seq_id index, joining each entry to its
/// Marten event: its cost must not grow with the events after the position, or a catch-up of a million events reads
/// the log again per page. (It sits here for the generated history it needs.)
/// </summary>
public sealed class CatchUpReadTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await ProjectionDb.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task A_page_of_the_catch_up_read_follows_the_read_order_index_without_sorting_the_rest_of_the_log()
    {
        await GeneratedHistory.CreateAsync(_db, TestDatabase.NewTenant(), 20_000);

        // The statement exactly as the store sends it: caught in pg_stat_activity while a lock holds it back.
        var application = $"catch-up-read-{Guid.NewGuid():N}"[..30];
        await using var storeDb = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(_db.AppConnectionString) { ApplicationName = application }.ConnectionString);
        string sql;
        await using (var locker = await _db.AdminDataSource.OpenConnectionAsync())
        await using (var lockTransaction = await locker.BeginTransactionAsync())
        {
            await using (var lockEvents = new NpgsqlCommand("LOCK TABLE ledger_chain IN ACCESS EXCLUSIVE MODE", locker, lockTransaction))
                await lockEvents.ExecuteNonQueryAsync();
            var read = _db.StoreOn(storeDb).ReadAllAsync(GlobalPosition.Start, 1000);
            sql = await Eventually.Until(
                () => _db.AdminDataSource.ScalarAsync<string?>(
                    "SELECT query FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", application),
                q => q is not null, TimeSpan.FromSeconds(30), "the store's read to wait for the lock") ?? "";
            await lockTransaction.RollbackAsync();
            await read;
        }

        await using var connection = await _db.AdminDataSource.OpenConnectionAsync();
        await using (var prepare = new NpgsqlCommand($"PREPARE catch_up_page AS {sql}", connection)) await prepare.ExecuteNonQueryAsync();
        var plan = new List<string>();
        await using (var explain = new NpgsqlCommand("EXPLAIN EXECUTE catch_up_page(0, 1000)", connection))
        await using (var reader = await explain.ExecuteReaderAsync())
            while (await reader.ReadAsync()) plan.Add(reader.GetString(0));

        var text = string.Join('\n', plan);
        text.ShouldContain("ledger_chain_seq_id_key", customMessage: text);
        text.ShouldNotContain("Sort", customMessage: text);
    }
}
