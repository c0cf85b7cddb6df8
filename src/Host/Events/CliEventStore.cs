using JasperFx.Events.Daemon;
using Ledger.Application;
using Ledger.Application.Json;
using Ledger.EventStore.MartenStore;
using Marten;
using Npgsql;

namespace Ledger.Host.Events;

/// <summary>
/// The event store as a CLI command uses it: Marten on the command's application connection. A command that appends
/// (settings, key rotation) seals what it wrote before it exits (<see cref="SealAsync"/>), running the chain sealer
/// itself for that moment, so its entries are in the ledger whether or not a Host is running. Should a Host's sealer
/// run at the same time, the two cannot both seal a page: Marten commits a page only from the progress it started at,
/// and the chain's keys refuse a second entry for an event or a position.
/// </summary>
internal sealed class CliEventStore : IAsyncDisposable
{
    private readonly DocumentStore _documents;
    private readonly SealProgress _progress;
    private readonly NpgsqlDataSource _app;

    private CliEventStore(NpgsqlDataSource app, string schema)
    {
        _app = app;
        _progress = new SealProgress(app);
        var shapes = LedgerEventShapes.Register(new EventShapes());
        _documents = DocumentStore.For(options =>
        {
            options.Connection(app);
            LedgerMarten.Configure(options, schema, shapes, LedgerJson.Options);
            options.Events.Subscribe(new ChainSealer(app, _progress.Sealed));
        });
        Store = new MartenEventStore(_documents, app, shapes, LedgerJson.Options);
    }

    public MartenEventStore Store { get; }

    /// <summary>Marten itself, for a command's sessions.</summary>
    public IDocumentStore Documents => _documents;

    public static CliEventStore Open(NpgsqlDataSource app, string schema) => new(app, schema);

    /// <summary>Seals every event stored so far; false when that did not happen within <paramref name="timeout"/>.</summary>
    public async Task<bool> SealAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        await using var command = _app.CreateCommand("SELECT coalesce(max(seq_id), 0) FROM mt_events");
        var last = (long)(await command.ExecuteScalarAsync(ct))!;
        if (await _progress.ReadAsync(ct) >= last) return true;
        using var daemon = await _documents.BuildProjectionDaemonAsync();
        await daemon.StartAllAsync();
        try
        {
            return await _progress.WaitForAsync(last, timeout, ct);
        }
        finally
        {
            await daemon.StopAllAsync();
        }
    }

    public ValueTask DisposeAsync() => _documents.DisposeAsync();
}
