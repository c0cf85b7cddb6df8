using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Ledger.Projections.Tests.Infrastructure;

/// <summary>Keeps what the daemon logs, so tests can check what an operator would read (and what must not be there).</summary>
public sealed class RecordingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, string Message, Exception? Error)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        Entries.Enqueue((logLevel, formatter(state, exception), exception));
    }

    public override string ToString() => string.Join("\n", Entries.Select(e => $"{e.Level}: {e.Message} {e.Error}"));
}
