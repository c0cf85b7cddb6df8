using Ledger.Messaging;

namespace Ledger.Host.Messaging.Inbound;

/// <summary>Exponential backoff between attempts: the first retry waits the first delay, each next one twice as long.</summary>
public sealed class InboundRetries(ConsumerSettings settings)
{
    /// <summary>Wolverine's ceiling on the slots of one failure rule.</summary>
    public const int MaxAttemptsAllowed = 25;

    public int MaxAttempts => Math.Clamp(settings.MaxAttempts, 1, MaxAttemptsAllowed);

    /// <summary>The wait after attempt <paramref name="failedAttempt"/> failed, before the next one.</summary>
    public TimeSpan DelayAfter(int failedAttempt)
    {
        var ms = settings.FirstRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(failedAttempt - 1, 0, 30));
        return TimeSpan.FromMilliseconds(Math.Min(ms, settings.MaxRetryDelay.TotalMilliseconds));
    }

    /// <summary>The cooldowns of every retry a message gets before it is dead-lettered.</summary>
    public TimeSpan[] Cooldowns => [.. Enumerable.Range(1, MaxAttempts - 1).Select(DelayAfter)];

    public TimeSpan OutageDelay => settings.OutageRetryDelay;
}
