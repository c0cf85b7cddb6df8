using System.Collections.Concurrent;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Ledger.EventStore.MartenStore;
using Ledger.TestSupport;
using Marten;
using Marten.Events.Projections;
using Xunit.Abstractions;
using static Ledger.TestSupport.TestEvents;

namespace Ledger.EventStore.Tests.Spike;

public sealed class SpikeProjection : IProjection
{
    public ConcurrentQueue<string> Calls { get; } = new();
    public Guid? FailOn { get; set; }
    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        Calls.Enqueue($"ops.tenant={operations.TenantId} n={events.Count} tenants={string.Join(",", events.Select(e => e.TenantId).Distinct().Count())} seq={events[0].Sequence}..{events[^1].Sequence} types={string.Join(",", events.Select(e => e.EventTypeName).Distinct())} datatype={events[0].Data.GetType().Name}");
        foreach (var e in events)
        {
            if (e.Id == FailOn) operations.QueueSqlCommand("SELECT 1/0");
            operations.QueueSqlCommand("INSERT INTO spike (tenant_id, seq) VALUES (?, ?)", e.TenantId, e.Sequence);
        }
        return Task.CompletedTask;
    }
}

public sealed class ProjectionSpike(ITestOutputHelper output)
{
    [Fact]
    public async Task Spike()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using (var c = db.AdminDataSource.CreateCommand($"CREATE TABLE spike (tenant_id text, seq bigint); GRANT ALL ON spike TO {TestDatabase.AppRole}"))
            await c.ExecuteNonQueryAsync();
        var projection = new SpikeProjection();
        var store = DocumentStore.For(o =>
        {
            o.Connection(db.AppDataSource);
            LedgerMarten.Configure(o, db.Schema, TestDatabase.Shapes(), TestDatabase.Json);
            o.Projections.Add(projection, ProjectionLifecycle.Async, "spike", a => { a.BatchSize = 500; });
            o.Projections.Errors.SkipApplyErrors = false;
        });
        var tenants = new[] { TestDatabase.NewTenant(), TestDatabase.NewTenant() };
        for (var i = 0; i < 10; i++)
            await db.EventStore.AppendAsync(tenants[i % 2], [To($"s-{i}", ExpectedVersion.NoStream, Event(), Event())]);
        var bad = Event();
        projection.FailOn = bad.EventId;
        using var daemon = await store.BuildProjectionDaemonAsync(logger: new XLogger(output));
        await daemon.StartAllAsync();
        await Task.Delay(2000);
        await db.EventStore.AppendAsync(tenants[0], [To("bad", ExpectedVersion.NoStream, Event(), bad, Event())]);
        await Task.Delay(12000);
        foreach (var c in projection.Calls) output.WriteLine(c);
        await using (var q = db.AppDataSource.CreateCommand("SELECT name, last_seq_id, coalesce(agent_status,'-'), coalesce(pause_reason,'-'), coalesce(failure_category,'-'), coalesce(failure_event_sequence,0), coalesce(failure_event_type,'-'), coalesce(failure_event_tenant_id, '-') FROM mt_event_progression"))
        await using (var r = await q.ExecuteReaderAsync())
            while (await r.ReadAsync()) output.WriteLine($"progress {r.GetString(0)} {r.GetInt64(1)} {r.GetString(2)} {r.GetString(3)} {r.GetString(4)} {r.GetInt64(5)} {r.GetString(6)} {r.GetString(7)}");
        await using (var q = db.AdminDataSource.CreateCommand("SELECT count(*) FROM spike"))
            output.WriteLine($"rows {await q.ExecuteScalarAsync()}");
        foreach (var a in daemon.CurrentAgents()) output.WriteLine($"agent {a.Name.Identity} {a.Status} {a.Position}");
        await daemon.StopAllAsync();
    }
}

public sealed class XLogger(ITestOutputHelper output) : Microsoft.Extensions.Logging.ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Information;
    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    { try { output.WriteLine($"{logLevel}: {formatter(state, exception)} {exception?.GetType().Name}: {exception?.Message}"); } catch { } }
}
public sealed class NpgsqlSpike(ITestOutputHelper output)
{
    [Fact]
    public async Task LockResult()
    {
        await using var ds = Npgsql.NpgsqlDataSource.Create(TestDatabase.ServerAdminConnectionString);
        await using var c = await ds.OpenConnectionAsync();
        await using var tx = await c.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        await using var b = new Npgsql.NpgsqlBatch(c, tx) { BatchCommands = { new("LOCK TABLE pg_class IN ACCESS SHARE MODE"), new("SELECT 1"), new("SELECT 2") } };
        await using var r = await b.ExecuteReaderAsync();
        output.WriteLine($"first fieldcount {r.FieldCount}");
        await r.ReadAsync(); output.WriteLine($"first value {(r.FieldCount > 0 ? r.GetValue(0) : "none")}");
        await r.NextResultAsync(); await r.ReadAsync(); output.WriteLine($"second value {r.GetValue(0)}");
    }
}
