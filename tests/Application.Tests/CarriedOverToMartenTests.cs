using Ledger.Application.Invoicing;
using Ledger.Application.Json;
using Ledger.Application.Tests.Invoicing;
using Ledger.EventStore;
using Ledger.EventStore.MartenStore;
using Ledger.TestSupport;

namespace Ledger.Application.Tests;

/// <summary>
/// Ledger's events move onto Marten unchanged: the events a fiscal flow writes into today's store, appended again to
/// Marten with the production shapes (<see cref="LedgerEventShapes"/>) and sealed there, come back with the same JSON
/// and the very same chain: every entry hash, position and link equal. Marten's stored shapes and serializer settings
/// therefore write exactly what the codecs wrote, and the record of docs/ledger-format.md is built identically from
/// Marten's columns.
/// </summary>
public sealed class CarriedOverToMartenTests : IAsyncLifetime
{
    private InvoicingTestBed _bed = null!;
    private MartenTestLedger _marten = null!;

    public async Task InitializeAsync()
    {
        _bed = await InvoicingTestBed.CreateAsync();
        _marten = await MartenTestLedger.CreateAsync(LedgerEventShapes.Register(new EventShapes()), LedgerJson.Options);
    }

    public async Task DisposeAsync()
    {
        await _marten.DisposeAsync();
        await _bed.DisposeAsync();
    }

    [Fact]
    public async Task A_fiscal_flows_events_have_the_same_json_and_chain_on_Marten()
    {
        var invoice = await _bed.Issuer.IssueAsync(_bed.Context(), InvoicingTestBed.Request(taxId: InvoicingTestBed.SpanishCompany));
        await _bed.CreditNotes.IssueAsync(_bed.Context(),
            new IssueCreditNoteRequest(Guid.CreateVersion7(), invoice.DocumentId, null, [new Domain.Invoicing.CreditedLine(1, 1m)], "returned goods"));
        await _bed.NewStamper().AttemptAsync(_bed.Tenant, invoice.DocumentId, DateTimeOffset.UtcNow.AddSeconds(10), CancellationToken.None);
        var today = await _bed.Db.Store.ReadAllAsync(GlobalPosition.Start, 10_000);
        today.Select(e => e.EventType).Distinct().Count().ShouldBeGreaterThanOrEqualTo(5);

        // Appended again in their chain order, one event per append, each at the version it had.
        foreach (var e in today.OrderBy(e => e.ChainSeq))
            await _marten.EventStore.AppendAsync(e.TenantId, [new StreamAppend(e.StreamId, ExpectedVersion.Exactly(e.StreamVersion - 1),
                [new EventToAppend(e.EventId, e.EventType, e.TypeVersion, e.OccurredAt, e.Data, e.Metadata)])]);
        await _marten.SealedAsync();
        var onMarten = (await _marten.EventStore.ReadAllAsync(GlobalPosition.Start, 10_000)).ToDictionary(e => e.EventId);

        onMarten.Count.ShouldBe(today.Count);
        foreach (var e in today)
        {
            var carried = onMarten[e.EventId];
            (carried.EventType, carried.TypeVersion, carried.StreamId, carried.StreamVersion, carried.OccurredAt, carried.Metadata)
                .ShouldBe((e.EventType, e.TypeVersion, e.StreamId, e.StreamVersion, e.OccurredAt, e.Metadata));
            carried.Data.GetRawText().ShouldBe(e.Data.GetRawText(), $"{e.EventType}: the same JSON");
            (carried.ChainSeq, Convert.ToHexString(carried.EntryHash), Convert.ToHexString(carried.ChainHash))
                .ShouldBe((e.ChainSeq, Convert.ToHexString(e.EntryHash), Convert.ToHexString(e.ChainHash)), $"{e.EventType}: the same chain entry");
        }
    }
}
