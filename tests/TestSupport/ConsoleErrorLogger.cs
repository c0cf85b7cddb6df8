using Microsoft.Extensions.Logging;

namespace Ledger.TestSupport;

/// <summary>Warnings and errors of background machinery (Marten's daemon) on stderr, where a failing test run shows them.</summary>
public sealed class ConsoleErrorLogger : ILogger
{
    public static readonly ConsoleErrorLogger Instance = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel)) Console.Error.WriteLine($"[{logLevel}] {formatter(state, exception)} {exception}");
    }
}
