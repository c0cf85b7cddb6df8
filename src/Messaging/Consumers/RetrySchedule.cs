namespace Ledger.Messaging.Consumers;

/// <summary>Exponential backoff between attempts: the first retry waits the first delay, each next one twice as long.</summary>
public sealed class RetrySchedule(ConsumerSettings settings)
{
    public int MaxAttempts => Math.Max(1, settings.MaxAttempts);

    /// <summary>The wait after attempt <paramref name="failedAttempt"/> failed, before the next one.</summary>
    public TimeSpan DelayAfter(int failedAttempt)
    {
        var ms = settings.FirstRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(failedAttempt - 1, 0, 30));
        return TimeSpan.FromMilliseconds(Math.Min(ms, settings.MaxRetryDelay.TotalMilliseconds));
    }

    /// <summary>Every delay a message of this consumer can wait (one delay queue each).</summary>
    public IEnumerable<TimeSpan> AllDelays =>
        Enumerable.Range(1, Math.Max(0, MaxAttempts - 1)).Select(DelayAfter).Append(settings.OutageRetryDelay).Distinct();

    public TimeSpan OutageDelay => settings.OutageRetryDelay;
}
