using Ledger.Application.Invoicing;
using Ledger.Application.Invoicing.Stamping;
using Ledger.Domain.Invoicing;
using Ledger.TestSupport;

namespace Ledger.Application.Tests.Invoicing;

/// <summary>
/// Stamping through the simulated authority, by the stamping queue's handling (<see cref="StampingRun"/>, one or two
/// "processes", the queue played by <see cref="StampingQueueDriver"/>): answers, transient failures, permanent
/// rejections, the contingency path within the deadline, and reconciliation once the authority is back — each invoice
/// stamped once, also when stampers race.
/// </summary>
public sealed class StampingTests : IAsyncLifetime
{
    private static readonly StampingOptions Fast = new()
    {
        ReconcileDelay = TimeSpan.FromMilliseconds(200),
        ReconcileMaxBackoff = TimeSpan.FromMilliseconds(400),
        MaxBackoff = TimeSpan.FromMilliseconds(300),
    };

    private InvoicingTestBed bed = null!;
    private StampingQueueDriver? queue;

    public async Task InitializeAsync() => bed = await InvoicingTestBed.CreateAsync(Fast);

    public async Task DisposeAsync()
    {
        if (queue is not null) await queue.DisposeAsync();
        await bed.DisposeAsync();
    }

    /// <summary>The queue's handling in <paramref name="count"/> processes, each with its own run.</summary>
    private void StartStamping(int count, IFiscalAuthority? authority = null) =>
        queue = new StampingQueueDriver([.. Enumerable.Range(0, count).Select(_ => bed.NewRun(authority))]);

    /// <summary>Issues invoices, and (once stamping started) queues each as the stamping shard does once its issue committed.</summary>
    private async Task<Guid[]> Issue(int count)
    {
        Guid[] ids = [.. (await Task.WhenAll(Enumerable.Range(0, count).Select(_ => bed.Issuer.IssueAsync(bed.Context(), InvoicingTestBed.Request())))).Select(w => w.DocumentId)];
        if (queue is not null)
            foreach (var id in ids) queue.Send(await bed.StampMessage(id));
        return ids;
    }

    private Task<int> Outstanding() => Task.FromResult(queue!.Outstanding);

    private async Task<Invoice.Issued[]> WaitUntil(Guid[] ids, Func<Invoice.Issued, bool> done, string what, TimeSpan? timeout = null) =>
        await Eventually.Until(async () => await Task.WhenAll(ids.Select(bed.Invoice)), all => all.All(done), timeout, what);

    [Fact]
    public async Task When_the_authority_answers_each_invoice_is_stamped_and_nothing_is_left_to_do()
    {
        StartStamping(1);
        var ids = await Issue(5);

        var stamped = await WaitUntil(ids, i => i.Stamping is InvoiceStamping.Stamped, "stamps");
        stamped.ShouldAllBe(i => ((InvoiceStamping.Stamped)i.Stamping).Provisional == null);
        foreach (var id in ids)
            ((InvoiceStamping.Stamped)(await bed.Invoice(id)).Stamping).Stamp.ShouldBe(bed.Authority.Stamps[id]);
        await Eventually.Until(Outstanding, n => n == 0, what: "nothing left to do");
    }

    [Fact]
    public async Task When_the_authority_is_down_invoices_get_contingency_seals_within_the_deadline_and_each_is_stamped_once_when_it_is_back()
    {
        bed.Authority.GoDown();
        StartStamping(2);
        var ids = await Issue(10);

        var sealedOnes = await WaitUntil(ids, i => i.Stamping is InvoiceStamping.Contingency, "contingency seals", TimeSpan.FromSeconds(15));
        foreach (var id in ids)
        {
            var events = await bed.InvoiceEvents(id);
            var issuedAt = ((InvoiceIssued)events[0]).Facts.IssuedAt;
            var seal = events.OfType<InvoiceContingencyStamped>().Single();
            (seal.Seal.SignedAt - issuedAt).ShouldBeLessThanOrEqualTo(bed.Options.Deadline, $"invoice {id}");
            ContingencySigner.Verify(seal.Seal).ShouldBeTrue();
            seal.Seal.KeyId.ShouldBe(bed.Signer.KeyId);
            seal.Seal.SignedText.ShouldContain($"document={id:D}");
        }
        sealedOnes.Length.ShouldBe(10);
        // Each seal is followed by a scheduled reconciliation, handed back right after the seal's append returns.
        await Eventually.Until(() => Task.FromResult(ids.Count(queue!.Scheduled.ContainsKey)), n => n == 10, what: "ten reconciliations scheduled");

        bed.Authority.Answer();
        await WaitUntil(ids, i => i.Stamping is InvoiceStamping.Stamped, "reconciliation", TimeSpan.FromSeconds(20));
        foreach (var id in ids)
        {
            var events = await bed.InvoiceEvents(id);
            events.OfType<InvoiceStamped>().ShouldHaveSingleItem().Reconciled.ShouldBeTrue();
            events.OfType<InvoiceContingencyStamped>().ShouldHaveSingleItem();
        }
        bed.Authority.Stamps.Keys.Order().ShouldBe(ids.Order());
        await Eventually.Until(Outstanding, n => n == 0, what: "nothing left to do");
    }

    [Fact]
    public async Task While_the_authority_keeps_failing_its_circuit_opens_invoices_are_sealed_at_once_and_all_reconcile_after_a_probe()
    {
        var guarded = new GuardedFiscalAuthority(bed.Authority, new AuthorityBreakerOptions
        {
            MinimumThroughput = 3, SamplingDuration = TimeSpan.FromSeconds(30), BreakDuration = TimeSpan.FromSeconds(2),
        });
        bed.Authority.GoDown();
        StartStamping(2, guarded);
        var first = await Issue(3);
        await Eventually.Until(() => Task.FromResult(guarded.State), s => s == Polly.CircuitBreaker.CircuitState.Open, what: "the circuit to open");
        await WaitUntil(first, i => i.Stamping is InvoiceStamping.Contingency, "the first invoices' seals", TimeSpan.FromSeconds(15));

        // While open: no call, and no waiting for the cut-off (two seconds after issue here) to seal.
        var callsWhenOpened = bed.Authority.Calls;
        var later = await Issue(5);
        var sealedLater = await WaitUntil(later, i => i.Stamping is InvoiceStamping.Contingency, "the later invoices' seals", TimeSpan.FromSeconds(15));
        foreach (var invoice in sealedLater)
        {
            var seal = ((InvoiceStamping.Contingency)invoice.Stamping).Seal;
            (seal.SignedAt - invoice.Facts.IssuedAt).ShouldBeLessThan(bed.Options.Deadline - bed.Options.ContingencyReserve, "sealed before the cut-off");
        }
        bed.Authority.Calls.ShouldBeLessThanOrEqualTo(callsWhenOpened + 2, "at most a probe per break while down");

        bed.Authority.Answer();
        var ids = first.Concat(later).ToArray();
        await WaitUntil(ids, i => i.Stamping is InvoiceStamping.Stamped, "reconciliation after the probe", TimeSpan.FromSeconds(30));
        guarded.State.ShouldBe(Polly.CircuitBreaker.CircuitState.Closed);
        foreach (var id in ids)
            (await bed.InvoiceEvents(id)).OfType<InvoiceStamped>().ShouldHaveSingleItem().Reconciled.ShouldBeTrue();
        bed.Authority.Stamps.Keys.Order().ShouldBe(ids.Order());
    }

    [Fact]
    public async Task Two_stampers_racing_on_the_same_invoices_record_one_stamp_each()
    {
        var ids = await Issue(8);
        bed.Authority.BeSlow(TimeSpan.FromMilliseconds(50));
        var deadline = DateTimeOffset.UtcNow.AddMinutes(1);
        var one = bed.NewStamper();
        var other = bed.NewStamper();

        var outcomes = await Task.WhenAll(ids.SelectMany(id => new[]
        {
            one.AttemptAsync(bed.Tenant, id, deadline, CancellationToken.None),
            other.AttemptAsync(bed.Tenant, id, deadline, CancellationToken.None),
        }));

        // The later of two attempts finds the stamp recorded: either on re-reading after losing the append, or from the start.
        outcomes.ShouldAllBe(o => o.Outcome == StampingOutcome.Stamped || o.Outcome == StampingOutcome.NothingToDo);
        outcomes.Count(o => o.Outcome == StampingOutcome.Stamped).ShouldBeGreaterThanOrEqualTo(ids.Length);
        foreach (var id in ids)
            (await bed.InvoiceEvents(id)).OfType<InvoiceStamped>().ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Racing_stampers_against_an_authority_that_is_not_idempotent_still_record_one_stamp()
    {
        var ids = await Issue(4);
        var forgetful = new ForgetfulAuthority();
        var stampers = Enumerable.Range(0, 3)
            .Select(_ => new DocumentStamper(bed.Db.Store, forgetful, bed.Signer, bed.Issuers, bed.Options, TimeProvider.System)).ToArray();

        var outcomes = await Task.WhenAll(ids.SelectMany(id =>
            stampers.Select(s => s.AttemptAsync(bed.Tenant, id, DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None))));

        outcomes.ShouldAllBe(o => o.Outcome == StampingOutcome.Stamped || o.Outcome == StampingOutcome.NothingToDo);
        foreach (var id in ids)
            (await bed.InvoiceEvents(id)).OfType<InvoiceStamped>().ShouldHaveSingleItem();
    }

    [Fact]
    public async Task A_permanent_rejection_is_recorded_with_the_authority_reason()
    {
        bed.Authority.RejectPermanently("CFDI40145", "The receiver's RFC is not in the list of taxpayers");
        StartStamping(1);
        var ids = await Issue(2);

        var rejected = await WaitUntil(ids, i => i.Stamping is InvoiceStamping.Rejected, "rejections");
        rejected.ShouldAllBe(i => ((InvoiceStamping.Rejected)i.Stamping).Reason == "The receiver's RFC is not in the list of taxpayers"
                                  && ((InvoiceStamping.Rejected)i.Stamping).Code == "CFDI40145");
        rejected.ShouldAllBe(i => i.Status == "rejected");
        await Eventually.Until(Outstanding, n => n == 0, what: "nothing left to do");
    }

    [Fact]
    public async Task Transient_failures_are_retried_with_backoff_and_stamp_before_the_deadline()
    {
        bed.Authority.FailTransiently(3);
        StartStamping(1);
        var ids = await Issue(1);

        var stamped = await WaitUntil(ids, i => i.Stamping is InvoiceStamping.Stamped, "a stamp after retries");
        ((InvoiceStamping.Stamped)stamped[0].Stamping).Provisional.ShouldBeNull();
        bed.Authority.RequestsFor(ids[0]).ShouldBe(4);
    }

    [Fact]
    public async Task A_slow_authority_past_the_deadline_gives_a_contingency_seal_then_is_reconciled()
    {
        bed.Authority.BeSlow(TimeSpan.FromSeconds(5));
        StartStamping(1);
        var ids = await Issue(1);

        var sealedOne = (await WaitUntil(ids, i => i.Stamping is InvoiceStamping.Contingency, "a seal", TimeSpan.FromSeconds(10)))[0];
        (((InvoiceStamping.Contingency)sealedOne.Stamping).Seal.SignedAt - sealedOne.Facts.IssuedAt).ShouldBeLessThanOrEqualTo(bed.Options.Deadline);

        bed.Authority.Answer();
        await WaitUntil(ids, i => i.Stamping is InvoiceStamping.Stamped, "reconciliation", TimeSpan.FromSeconds(15));
        (await bed.InvoiceEvents(ids[0])).OfType<InvoiceStamped>().ShouldHaveSingleItem();
    }

    /// <summary>An authority that stamps every request anew, as a careless provider might: only expected versions prevent doubles then.</summary>
    private sealed class ForgetfulAuthority : IFiscalAuthority
    {
        public async Task<StampResponse> StampAsync(StampRequest request, CancellationToken ct)
        {
            await Task.Yield();
            return new StampResponse.Stamped(new AuthorityStamp(Guid.NewGuid().ToString("D"), "seal", DateTimeOffset.UtcNow));
        }
    }
}
