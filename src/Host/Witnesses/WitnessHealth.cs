using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Ledger.Host.Witnesses;

/// <summary>How each witness fared in its last round, as <see cref="WitnessService"/> saw it (this process's view).</summary>
public sealed class WitnessStatus
{
    public sealed record State(DateTimeOffset? FailingSince, string? Fork);

    private readonly ConcurrentDictionary<string, State> states = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, State> States => states;

    public void Delivered(string witness) => states[witness] = new State(null, null);

    public void Failed(string witness, DateTimeOffset at) =>
        states.AddOrUpdate(witness, new State(at, null), (_, s) => new State(s.FailingSince ?? at, null));

    public void Forked(string witness, DateTimeOffset at, string detail) =>
        states.AddOrUpdate(witness, new State(at, detail), (_, s) => new State(s.FailingSince ?? at, detail));
}

/// <summary>
/// Degraded when a witness holds another checkpoint at a position Ledger signed (a fork: two signed histories exist),
/// or has refused or missed every checkpoint for longer than <c>Ledger:Witnesses:DegradedAfterSeconds</c>: checkpoints
/// are still signed and stored, but are not reaching where they must be kept.
/// </summary>
internal sealed class WitnessHealthCheck(WitnessStatus status, IOptions<WitnessOptions> options, TimeProvider clock) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var forks = status.States.Where(s => s.Value.Fork is not null).Select(s => s.Key).ToList();
        var behind = status.States
            .Where(s => s.Value.FailingSince is { } since && now - since >= TimeSpan.FromSeconds(options.Value.DegradedAfterSeconds))
            .Select(s => s.Key).ToList();
        if (forks.Count > 0)
            return Task.FromResult(HealthCheckResult.Degraded("a witness holds another checkpoint at a position Ledger signed: two signed histories exist",
                data: new Dictionary<string, object> { ["forked"] = forks, ["failing"] = behind }));
        return Task.FromResult(behind.Count > 0
            ? HealthCheckResult.Degraded("checkpoints are not reaching every witness", data: new Dictionary<string, object> { ["failing"] = behind })
            : HealthCheckResult.Healthy("every witness takes the checkpoints it is offered"));
    }
}

/// <summary>
/// <c>ledger.checkpoint.witnesses_failing</c> and <c>ledger.checkpoint.witness_forks</c> (meter <c>Ledger.Witnesses</c>,
/// one per host: made by its meter factory): how many witnesses failed their last round, and how many of those hold
/// another checkpoint than Ledger's — the alerts an operator wires, beside the log lines and <c>/health/ready</c>.
/// </summary>
internal static class WitnessMetrics
{
    public const string MeterName = "Ledger.Witnesses";

    public static void Observe(WitnessStatus status, IMeterFactory? meterFactory)
    {
        var meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        meter.CreateObservableGauge("ledger.checkpoint.witnesses_failing",
            () => status.States.Count(s => s.Value.FailingSince is not null), "{witness}", "Witnesses whose last round failed");
        meter.CreateObservableGauge("ledger.checkpoint.witness_forks",
            () => status.States.Count(s => s.Value.Fork is not null), "{witness}", "Witnesses holding another checkpoint at a position Ledger signed");
    }
}
