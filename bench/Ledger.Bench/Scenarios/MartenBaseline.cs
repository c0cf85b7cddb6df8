using System.Text.Json;
using JasperFx;
using JasperFx.Events;
using Ledger.Bench.Infrastructure;
using Marten;
using JasperFx.MultiTenancy;

namespace Ledger.Bench.Scenarios;

/// <summary>
/// Plain Marten as the append scenarios' second baseline: Quick append, conjoined tenancy, string stream keys, the
/// same ~500-byte bodies, no chain and no audit entry. It is what Ledger moves onto (issue 13), so Ledger's rows say
/// how far the chain and the audit entry are from "nearly free" on top of it, besides the plain INSERT.
/// </summary>
public sealed class MartenBaseline : IAsyncDisposable
{
    private readonly DocumentStore _store;

    private MartenBaseline(DocumentStore store, string schema)
    {
        _store = store;
        Schema = schema;
    }

    /// <summary>The schema Marten's tables live in (scenario 9 adds its chain tables next to them).</summary>
    public string Schema { get; }

    public DocumentStore Store => _store;

    /// <summary>The event Marten stores: the same body the other sides store, as a nested JSON object.</summary>
    public sealed record OrderRecorded(JsonElement Body);

    /// <summary>
    /// A fresh store in its own schema. Scenario 9 passes <paramref name="applicationName"/> (so its sealer can see which
    /// transactions are this store's appends) and <paramref name="configure"/> (its session listener); scenario 10 passes
    /// <paramref name="hostPool"/> to connect through the pool settings Ledger's Host uses (<c>LedgerDataSource</c>: no
    /// <c>DISCARD ALL</c> when a connection is handed out again, auto-prepare) instead of Npgsql's defaults; everything
    /// else stays as the baseline's.
    /// </summary>
    public static async Task<MartenBaseline> CreateAsync(BenchDatabase database, string name, string? applicationName = null,
        Action<StoreOptions>? configure = null, bool hostPool = false)
    {
        var schema = database.ReserveSchema(name);
        var connection = applicationName is null
            ? BenchDatabase.AdminConnectionString
            : new Npgsql.NpgsqlConnectionStringBuilder(BenchDatabase.AdminConnectionString) { ApplicationName = applicationName }.ConnectionString;
        if (hostPool) connection = Ledger.EventStore.Connections.LedgerDataSource.ConnectionString(connection, "ledger-bench-marten");
        var store = DocumentStore.For(options =>
        {
            options.Connection(connection);
            options.DatabaseSchemaName = schema;
            options.Events.DatabaseSchemaName = schema;
            options.Events.TenancyStyle = TenancyStyle.Conjoined;
            options.Events.StreamIdentity = StreamIdentity.AsString;
            options.Events.AppendMode = EventAppendMode.Quick;
            options.UseSystemTextJsonForSerialization();
            options.AutoCreateSchemaObjects = AutoCreate.All;
            options.Events.AddEventType<OrderRecorded>();
            configure?.Invoke(options);
        });
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return new MartenBaseline(store, schema);
    }

    /// <summary>Every stream of every tenant starts with <paramref name="perStream"/> events, about 1,000 events per session.</summary>
    public async Task PreloadAsync(int tenants, int streamsPerTenant, int perStream, Payloads payloads)
    {
        var streamsPerSession = Math.Max(1, 1000 / perStream);
        await Parallel.ForEachAsync(Enumerable.Range(0, tenants), new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (t, ct) =>
        {
            for (var first = 0; first < streamsPerTenant; first += streamsPerSession)
            {
                await using var session = _store.LightweightSession(Preload.TenantId(t));
                for (var s = first; s < Math.Min(first + streamsPerSession, streamsPerTenant); s++)
                    session.Events.StartStream(Preload.StreamId(s), [.. Enumerable.Range(0, perStream).Select(v => (object)Event(payloads, s + v))]);
                await session.SaveChangesAsync(ct);
            }
        });
    }

    /// <summary>One event appended to a stream at a known version, in its own session and transaction.</summary>
    public async Task AppendAsync(string tenant, string stream, long currentVersion, OrderRecorded @event)
    {
        await using var session = _store.LightweightSession(tenant);
        // Marten's expected version is the stream's version once these events are in.
        session.Events.Append(stream, currentVersion + 1, @event);
        await session.SaveChangesAsync();
    }

    public static OrderRecorded Event(Payloads payloads, long i) => new(payloads.Element(i));

    public ValueTask DisposeAsync() => _store.DisposeAsync();
}
