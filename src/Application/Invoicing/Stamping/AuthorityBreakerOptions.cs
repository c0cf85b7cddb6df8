namespace Ledger.Application.Invoicing.Stamping;

/// <summary>
/// When Ledger stops calling a failing fiscal authority (<c>Ledger:Invoicing:Stamping:Breaker</c>): once at least
/// <see cref="FailureRatio"/> of the calls in <see cref="SamplingDuration"/> failed (and there were at least
/// <see cref="MinimumThroughput"/>), no call is made for <see cref="BreakDuration"/>; then one call probes the authority,
/// and its answer closes the circuit or opens it again.
/// </summary>
public sealed class AuthorityBreakerOptions
{
    public bool Enabled { get; set; } = true;

    public double FailureRatio { get; set; } = 0.5;

    public int MinimumThroughput { get; set; } = 5;

    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>What Polly's circuit breaker accepts, said in the settings' own names.</summary>
    public bool IsValid =>
        FailureRatio is > 0 and <= 1
        && MinimumThroughput >= 2
        && SamplingDuration >= TimeSpan.FromMilliseconds(500) && SamplingDuration <= TimeSpan.FromDays(1)
        && BreakDuration >= TimeSpan.FromMilliseconds(500) && BreakDuration <= TimeSpan.FromDays(1);
}
