using System.Threading.Channels;
using Npgsql;

namespace Ledger.EventStore.Notifications;

/// <summary>
/// Tells readers in other processes that this process moved the ledger on: after the chain sealer committed a page
/// (its <see cref="AppendSignal.Pulse"/>), it sends <c>NOTIFY ledger_events</c> on a connection of its own, at most once per
/// <c>minInterval</c> however many appends came in between; readers in this process are woken at once through the
/// <see cref="AppendSignal"/>.
/// </summary>
/// <remarks>
/// NOTIFY is deliberately not issued inside the append's transaction: at commit it takes a lock on the
/// database-wide notification queue, which would serialise every committing appender (all tenants) behind it.
/// Sent afterwards, from one connection and coalesced, it costs one small transaction per interval. The payload is
/// the store's schema, so listeners of other schemas on the same database can ignore it.
/// </remarks>
public sealed class AppendNotifier : IAsyncDisposable
{
    public const string Channel = "ledger_events";

    private readonly NpgsqlDataSource _dataSource;
    private readonly AppendSignal _signal;
    private readonly TimeSpan _minInterval;
    private readonly Channel<bool> _pending = System.Threading.Channels.Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private long _sent;

    public AppendNotifier(NpgsqlDataSource dataSource, AppendSignal signal, TimeSpan? minInterval = null)
    {
        _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));
        _signal = signal ?? throw new ArgumentNullException(nameof(signal));
        _minInterval = minInterval ?? TimeSpan.FromMilliseconds(5);
        Schema = SchemaOf(dataSource);
    }

    /// <summary>The schema named in each notification: the data source's search path.</summary>
    public string Schema { get; }

    /// <summary>Notifications sent so far (for tests and metrics).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    public void Start()
    {
        _signal.CommittedHere += OnCommittedHere;
        _loop = Task.Run(() => SendLoop(_stop.Token));
    }

    public static string SchemaOf(NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        return new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).SearchPath?.Split(',')[0].Trim() ?? "";
    }

    private void OnCommittedHere() => _pending.Writer.TryWrite(true);

    private async Task SendLoop(CancellationToken ct)
    {
        NpgsqlConnection? connection = null;
        try
        {
            while (await _pending.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                _pending.Reader.TryRead(out _);
                try
                {
                    connection ??= await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                    await using var notify = new NpgsqlCommand("SELECT pg_notify($1, $2)", connection);
                    notify.Parameters.Add(new() { Value = Channel });
                    notify.Parameters.Add(new() { Value = Schema });
                    await notify.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                    Interlocked.Increment(ref _sent);
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException)
                {
                    // A lost notification only delays other processes until their next poll; reconnect next time.
                    if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
                    connection = null;
                }
                await Task.Delay(_minInterval, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        // Its hosted service disposes it on stop, and the container again at exit: the second time is a no-op.
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _signal.CommittedHere -= OnCommittedHere;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
