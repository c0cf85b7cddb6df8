using Ledger.Application.Invoicing.Stamping;
using Ledger.TestSupport;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;

namespace Ledger.Application.Tests.Invoicing;

/// <summary>
/// The fiscal authority's circuit breaker on its own, on a fake clock: it opens once the authority keeps failing,
/// withholds calls while open, probes once after the break, and closes on an answer — a refusal being an answer.
/// </summary>
public sealed class AuthorityBreakerTests
{
    private static readonly AuthorityBreakerOptions Options = new()
    {
        FailureRatio = 0.5, MinimumThroughput = 4, SamplingDuration = TimeSpan.FromSeconds(10), BreakDuration = TimeSpan.FromSeconds(15),
    };

    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
    private readonly SimulatedFiscalAuthority authority;
    private readonly GuardedFiscalAuthority guarded;

    public AuthorityBreakerTests()
    {
        authority = new SimulatedFiscalAuthority(clock);
        guarded = new GuardedFiscalAuthority(authority, Options, clock);
    }

    private static StampRequest Request() =>
        new("tenant-1", Guid.CreateVersion7(), "invoice", "A-1", new DateOnly(2026, 3, 2), "B12345674", null, "EUR", 21m, 121m);

    private async Task FailAsync(int times)
    {
        for (var i = 0; i < times; i++)
            (await Should.ThrowAsync<FiscalAuthorityUnavailableException>(() => guarded.StampAsync(Request(), CancellationToken.None)))
                .ShouldNotBeOfType<FiscalAuthorityCircuitOpenException>();
    }

    [Fact]
    public async Task A_failing_authority_is_not_called_while_the_circuit_is_open_then_one_probe_closes_it()
    {
        authority.GoDown();
        await FailAsync(3);
        guarded.State.ShouldBe(CircuitState.Closed, "below the minimum throughput");
        await FailAsync(1);
        guarded.State.ShouldBe(CircuitState.Open);
        guarded.ProbeAt.ShouldBe(clock.GetUtcNow() + Options.BreakDuration);

        for (var i = 0; i < 10; i++)
            await Should.ThrowAsync<FiscalAuthorityCircuitOpenException>(() => guarded.StampAsync(Request(), CancellationToken.None));
        authority.Calls.ShouldBe(4, "no call while open");

        clock.Advance(Options.BreakDuration - TimeSpan.FromSeconds(1));
        await Should.ThrowAsync<FiscalAuthorityCircuitOpenException>(() => guarded.StampAsync(Request(), CancellationToken.None));
        authority.Calls.ShouldBe(4, "still within the break");

        clock.Advance(TimeSpan.FromSeconds(1));
        authority.Answer();
        (await guarded.StampAsync(Request(), CancellationToken.None)).ShouldBeOfType<StampResponse.Stamped>();
        authority.Calls.ShouldBe(5, "one probe");
        guarded.State.ShouldBe(CircuitState.Closed);
        guarded.ProbeAt.ShouldBeNull();
    }

    [Fact]
    public async Task A_probe_that_fails_opens_the_circuit_for_another_break()
    {
        authority.GoDown();
        await FailAsync(4);
        clock.Advance(Options.BreakDuration);

        await FailAsync(1);
        authority.Calls.ShouldBe(5);
        guarded.State.ShouldBe(CircuitState.Open);
        guarded.ProbeAt.ShouldBe(clock.GetUtcNow() + Options.BreakDuration);
        await Should.ThrowAsync<FiscalAuthorityCircuitOpenException>(() => guarded.StampAsync(Request(), CancellationToken.None));
        authority.Calls.ShouldBe(5);
    }

    [Fact]
    public async Task An_authority_that_does_not_answer_in_time_counts_as_failing()
    {
        authority.BeSlow(TimeSpan.FromHours(1));
        for (var i = 1; i <= 4; i++)
        {
            // The caller gives up once the call is under way (a deadline that passed before the call began would be
            // no outcome of the authority's: on a loaded machine a 20 ms timer sometimes did, and the test failed).
            using var wait = new CancellationTokenSource();
            var call = guarded.StampAsync(Request(), wait.Token);
            var calls = i;
            await Eventually.Until(() => Task.FromResult(authority.Calls), n => n >= calls, TimeSpan.FromSeconds(10), "the call to reach the authority");
            await wait.CancelAsync();
            await Should.ThrowAsync<OperationCanceledException>(() => call);
        }
        guarded.State.ShouldBe(CircuitState.Open);
    }

    [Fact]
    public async Task Refusals_are_answers_and_never_open_the_circuit()
    {
        authority.RejectPermanently("SAT-301", "bad tax id");
        for (var i = 0; i < 20; i++)
            (await guarded.StampAsync(Request(), CancellationToken.None)).ShouldBeOfType<StampResponse.Rejected>();
        guarded.State.ShouldBe(CircuitState.Closed);
        authority.Calls.ShouldBe(20);
    }

    [Fact]
    public async Task The_circuit_gauge_reads_the_state_of_the_observed_authority()
    {
        StampingMetrics.Observe(guarded);
        authority.GoDown();
        Gauge().ShouldBe(0);
        await FailAsync(4);
        Gauge().ShouldBe(1);
    }

    private static int Gauge()
    {
        var value = -1;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StampingMetrics.MeterName && instrument.Name == "ledger.fiscal_authority.circuit") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<int>((_, measurement, _, _) => value = measurement);
        listener.Start();
        listener.RecordObservableInstruments();
        return value;
    }
}
