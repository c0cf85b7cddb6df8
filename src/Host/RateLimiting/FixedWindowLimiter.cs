using System.Threading.RateLimiting;

namespace Ledger.Host.RateLimiting;

/// <summary>
/// A fixed window of <see cref="WindowLimit.PermitLimit"/> requests that knows when it ends, so a refusal's
/// <c>Retry-After</c> is the time left in it. The framework's fixed window limiter answers with the window's whole
/// length however little of it is left, which sends a polite client away for longer than it needs to wait.
/// </summary>
/// <remarks>No queue: a request over the budget is refused at once, as with <c>QueueLimit = 0</c>.</remarks>
internal sealed class FixedWindowLimiter(WindowLimit limit, TimeProvider clock) : RateLimiter
{
    private readonly Lock _lock = new();
    private DateTimeOffset _windowStart = clock.GetUtcNow();
    private DateTimeOffset _lastUsed = clock.GetUtcNow();
    private int _used;

    /// <summary>Idle once the current window has nothing counted: the partitioned limiter may then drop it.</summary>
    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_lock)
            {
                var now = Roll();
                return _used == 0 ? now - _lastUsed : null;
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_lock)
        {
            Roll();
            return new RateLimiterStatistics { CurrentAvailablePermits = limit.PermitLimit - _used };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        lock (_lock)
        {
            var now = Roll();
            _lastUsed = now;
            if (_used + permitCount <= limit.PermitLimit)
            {
                _used += permitCount;
                return WindowLease.Acquired;
            }
            return new WindowLease(_windowStart + limit.Window - now);
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    // Starts a new window when the current one has ended; windows follow each other from the first request.
    private DateTimeOffset Roll()
    {
        var now = clock.GetUtcNow();
        var elapsed = now - _windowStart;
        if (elapsed >= limit.Window)
        {
            _windowStart += limit.Window * Math.Floor(elapsed / limit.Window);
            _used = 0;
        }
        return now;
    }

    private sealed class WindowLease(TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly WindowLease Acquired = new(null);

        public override bool IsAcquired => retryAfter is null;

        public override IEnumerable<string> MetadataNames => IsAcquired ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return !IsAcquired && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}
