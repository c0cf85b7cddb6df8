using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Ledger.Messaging.Tests.Infrastructure;

/// <summary>Collects log lines so tests can check what an operator would see (retries, dead letters).</summary>
public sealed class TestLogs
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message, Exception? Error)> lines = new();

    public IReadOnlyList<(LogLevel Level, string Message, Exception? Error)> Lines => [.. lines];

    public ILogger<T> For<T>() => new Logger<T>(this);

    private sealed class Logger<T>(TestLogs logs) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.lines.Enqueue((logLevel, formatter(state, exception), exception));
    }
}
