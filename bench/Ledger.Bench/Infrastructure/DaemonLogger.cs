using Microsoft.Extensions.Logging;

namespace Ledger.Bench.Infrastructure;

/// <summary>Marten's daemon's warnings and errors on stderr: a sealer that fails shows there, not only as a lag.</summary>
public sealed class DaemonLogger : ILogger
{
    public static readonly DaemonLogger Instance = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel)) Console.Error.WriteLine($"bench daemon [{logLevel}] {formatter(state, exception)} {exception?.GetType().Name}: {exception?.Message}");
    }
}
