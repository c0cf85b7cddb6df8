using Polly;
using Polly.CircuitBreaker;

namespace Ledger.Application.Invoicing.Stamping;

/// <summary>
/// The fiscal authority behind a circuit breaker (Polly's): while the authority keeps failing (unavailable, or no
/// answer in time), calls stop for a while and fail at once with <see cref="FiscalAuthorityCircuitOpenException"/>, so
/// the stamper seals new invoices in contingency instead of spending their deadline on an authority that is down, and
/// stops adding load to one that is struggling; then a single call probes it again. A refusal is an answer, not a failure.
/// </summary>
/// <remarks>
/// Ledger's own rather than Wolverine's listener circuit breaker: that one pauses the whole queue, and a paused queue
/// would seal nothing — the invoices must still be sealed within their deadline while the authority is down.
/// </remarks>
public sealed class GuardedFiscalAuthority : IFiscalAuthority
{
    private readonly IFiscalAuthority authority;
    private readonly ResiliencePipeline pipeline;
    private readonly CircuitBreakerStateProvider circuit = new();
    private readonly TimeProvider clock;
    private DateTimeOffset probeAt;

    public GuardedFiscalAuthority(IFiscalAuthority authority, AuthorityBreakerOptions options, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.authority = authority ?? throw new ArgumentNullException(nameof(authority));
        this.clock = clock ?? TimeProvider.System;
        pipeline = new ResiliencePipelineBuilder { TimeProvider = this.clock }.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = options.FailureRatio,
            MinimumThroughput = options.MinimumThroughput,
            SamplingDuration = options.SamplingDuration,
            BreakDuration = options.BreakDuration,
            StateProvider = circuit,
            // The stamper's own wait running out (its deadline) is the authority not answering in time; the caller
            // stopping (shutdown) is rare enough not to matter to the count.
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is FiscalAuthorityUnavailableException or OperationCanceledException),
            OnOpened = args =>
            {
                probeAt = this.clock.GetUtcNow() + args.BreakDuration;
                StampingMetrics.CircuitOpened();
                return ValueTask.CompletedTask;
            },
        }).Build();
    }

    /// <summary>Closed (calling), Open (not calling), HalfOpen (one probe under way).</summary>
    public CircuitState State => circuit.CircuitState;

    /// <summary>When the next probe is allowed, while the circuit is open.</summary>
    public DateTimeOffset? ProbeAt => State == CircuitState.Open ? probeAt : null;

    public async Task<StampResponse> StampAsync(StampRequest request, CancellationToken ct)
    {
        try
        {
            return await pipeline.ExecuteAsync(static (state, token) => new ValueTask<StampResponse>(state.authority.StampAsync(state.request, token)),
                (authority, request), ct).ConfigureAwait(false);
        }
        catch (BrokenCircuitException e)
        {
            StampingMetrics.CallWithheld();
            throw new FiscalAuthorityCircuitOpenException(
                $"the fiscal authority kept failing: no calls until {probeAt:O}, then one probe", e);
        }
    }
}

/// <summary>No call was made: the authority kept failing and the circuit is open (or a probe is already under way).</summary>
public sealed class FiscalAuthorityCircuitOpenException(string message, Exception? inner = null)
    : FiscalAuthorityUnavailableException(message, inner);
