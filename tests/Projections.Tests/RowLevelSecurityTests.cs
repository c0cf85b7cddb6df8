using Ledger.Projections.Tests.Infrastructure;
using Ledger.TestSupport;
using Npgsql;

namespace Ledger.Projections.Tests;

/// <summary>
/// The database enforces tenancy on every read model, for the application role itself: raw SQL without
/// <c>ledger.tenant</c> sees nothing, and with it sees and writes only that tenant's rows.
/// </summary>
public sealed class RowLevelSecurityTests : IAsyncLifetime
{
    private static readonly string[] Tables = ["orders_rm", "receivables_rm", "sales_journal_days", "sales_journal_orders"];
    private TestDatabase _db = null!;
    private string _a = "", _b = "";

    public async Task InitializeAsync()
    {
        _db = await ProjectionDb.CreateAsync();
        (_a, _b) = (TestDatabase.NewTenant("a"), TestDatabase.NewTenant("b"));
        await OrderHistory.AppendOrdersAsync(_db.Store, _a, 30, seed: 1);
        await OrderHistory.AppendOrdersAsync(_db.Store, _b, 20, seed: 2);
        await using var daemon = DaemonHarness.Start(_db, "a");
        await _db.CaughtUpAsync(LedgerProjections.Orders.Select(p => p.Name));
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task The_application_role_without_a_tenant_sees_no_rows_in_views_or_generation_tables()
    {
        foreach (var table in Tables)
        {
            (await _db.AdminDataSource.ScalarAsync<long>($"SELECT count(*) FROM {table}")).ShouldBeGreaterThan(0, table);
            (await _db.AppDataSource.ScalarAsync<long>($"SELECT count(*) FROM {table}")).ShouldBe(0, table);
            (await _db.AppDataSource.ScalarAsync<long>($"SELECT count(*) FROM {table}_g1")).ShouldBe(0, table);
        }
    }

    [Fact]
    public async Task With_a_tenant_set_the_application_role_sees_only_that_tenant()
    {
        foreach (var table in Tables)
        {
            var tenants = await InTenantAsync(_a, $"SELECT array_agg(DISTINCT tenant_id) FROM {table}");
            tenants.ShouldBe(new[] { _a }, table);
        }
        var count = await InTenantAsync(_b, "SELECT array_agg(DISTINCT tenant_id) || count(*)::text FROM orders_rm");
        count.ShouldBe(new[] { _b, "20" });
    }

    [Fact]
    public async Task With_a_tenant_set_the_application_role_cannot_write_another_tenants_rows()
    {
        var refused = await Should.ThrowAsync<PostgresException>(() => InTenantAsync(_a,
            $"INSERT INTO orders_rm_g1 (tenant_id, order_id) VALUES ('{_b}', gen_random_uuid()) RETURNING ARRAY[tenant_id]"));
        refused.SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
        (await InTenantAsync(_a, $"WITH u AS (UPDATE orders_rm_g1 SET status = 'hacked' WHERE tenant_id = '{_b}' RETURNING 1) SELECT ARRAY[count(*)::text] FROM u"))
            .ShouldBe(new[] { "0" });
    }

    private async Task<string[]> InTenantAsync(string tenant, string sql)
    {
        await using var connection = await _db.AppDataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var set = new NpgsqlCommand("SELECT set_config('ledger.tenant', $1, true)", connection, transaction))
        {
            set.Parameters.Add(new() { Value = tenant });
            await set.ExecuteNonQueryAsync();
        }
        await using var query = new NpgsqlCommand(sql, connection, transaction);
        var result = (string[])(await query.ExecuteScalarAsync())!;
        await transaction.RollbackAsync();
        return result;
    }
}
