using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Ledger.EventStore.Notifications;

/// <summary>
/// Wakes this process's readers when another process appended: LISTENs on <see cref="AppendNotifier.Channel"/> on a
/// connection of its own and pulses the <see cref="AppendSignal"/> for notifications about its schema. If the
/// connection breaks it reconnects with backoff and pulses once more, because notifications sent meanwhile are lost.
/// </summary>
public sealed partial class AppendListener(NpgsqlDataSource dataSource, AppendSignal signal, ILogger? logger = null)
{
    private readonly string _schema = AppendNotifier.SchemaOf(dataSource);
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>Listens until cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                connection.Notification += (_, e) =>
                {
                    if (e.Payload.Length == 0 || e.Payload == _schema) signal.PulseFromElsewhere();
                };
                try
                {
                    await using (var listen = new NpgsqlCommand($"LISTEN {AppendNotifier.Channel}", connection))
                        await listen.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                    signal.PulseFromElsewhere();
                    backoff = TimeSpan.FromMilliseconds(100);
                    while (true) await connection.WaitAsync(ct).ConfigureAwait(false);
                }
                finally
                {
                    await UnlistenAsync(connection).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or System.IO.IOException)
            {
                LogListenFailed(_logger, e, backoff.TotalMilliseconds);
                try
                {
                    await Task.Delay(backoff, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 5000));
            }
        }
    }

    // With the pool's reset turned off (LedgerDataSource), a connection that goes back to the pool still listening
    // would take notifications for whoever uses it next; a broken connection is not pooled again, so failing here is fine.
    private static async Task UnlistenAsync(NpgsqlConnection connection)
    {
        if (connection.FullState != System.Data.ConnectionState.Open) return;
        try
        {
            await using var unlisten = new NpgsqlCommand("UNLISTEN *", connection);
            await unlisten.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException or System.IO.IOException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for appended events failed; retrying in {DelayMs} ms")]
    private static partial void LogListenFailed(ILogger logger, Exception exception, double delayMs);
}
