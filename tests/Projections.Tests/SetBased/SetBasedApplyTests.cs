using Ledger.Application;
using Ledger.Application.Orders;
using Ledger.Application.Invoicing;
using Ledger.Application.Invoicing.Settings;
using Ledger.Application.Invoicing.Stamping;
using Ledger.Domain.Invoicing;
using Ledger.Domain.Orders;
using Ledger.EventStore;
using Ledger.Projections.Daemon;
using Ledger.Projections.Tests.Infrastructure;
using Ledger.TestSupport;

namespace Ledger.Projections.Tests.SetBased;

/// <summary>
/// A batch applied set-based (a projection's statements of one text folded into one statement over arrays) leaves
/// every read model exactly as applying one statement per event does, for every projection the Host runs.
/// </summary>
public sealed class SetBasedApplyTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync(ProjectionMigrations.Set, InvoicingMigrations.Set);

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Given_a_mixed_history_When_folded_set_based_and_one_by_one_Then_every_table_is_equal()
    {
        // Three tenants, their appends interleaved so one batch holds several tenants and several events of one
        // order; orders whose payment fails twice or three times put rows with one conflict key in one statement group.
        var tenants = Enumerable.Range(0, 3).Select(_ => TestDatabase.NewTenant()).ToArray();
        for (var round = 0; round < 4; round++)
            foreach (var (tenant, i) in tenants.Select((t, i) => (t, i)))
            {
                await OrderHistory.AppendOrdersAsync(_db.Store, tenant, 60, perAppend: 20, seed: round * 10 + i);
                await _db.Store.AppendAsync(tenant, [.. Enumerable.Range(0, 5).Select(n => OrderHistory.Stream(Guid.CreateVersion7(), RepeatedFailures(n % 3 + 2)))]);
            }
        foreach (var tenant in tenants.Take(2)) await IssueInvoicesAsync(tenant);

        var log = new RecordingLogger<SetBasedApplyTests>();
        foreach (var projection in LedgerProjections.All)
        {
            var setBased = await GenerationCompare.BuildFromScratchAsync(_db, projection, new ProjectionDaemonOptions { BatchSize = 1000 }, log);
            var oneByOne = await GenerationCompare.BuildFromScratchAsync(_db, projection, new ProjectionDaemonOptions { BatchSize = 1000, SetBased = false });
            var (differences, rows) = await GenerationCompare.CompareAsync(_db, projection.Name, setBased, oneByOne);
            rows.ShouldBeGreaterThan(0, projection.Name);
            differences.ShouldBe(0, projection.Name);
        }
        log.Entries.ShouldBeEmpty(); // no batch fell back to one statement per event
    }

    [Fact]
    public async Task Given_a_statement_that_fails_inside_a_set_based_group_Then_the_runner_names_exactly_that_event()
    {
        var tenant = TestDatabase.NewTenant();
        await OrderHistory.AppendOrdersAsync(_db.Store, tenant, 40, seed: 1);
        var poisonOrder = Guid.CreateVersion7();
        await _db.Store.AppendAsync(tenant, [OrderHistory.Stream(poisonOrder, OrderHistory.Lifecycle(poisonOrder, 0, OrderHistory.Start, customer: "poison"))]);
        await OrderHistory.AppendOrdersAsync(_db.Store, tenant, 40, seed: 2);
        var poison = await _db.AdminDataSource.ScalarAsync<Guid>(
            "SELECT event_id FROM ledger_records WHERE stream_id = $1 AND stream_version = 1", OrderStreams.For(poisonOrder));

        // The read model refuses that one customer: its created event is one row of the batch's created group.
        var generation = await NewGenerationAsync(OrdersProjectionName);
        await using (var command = _db.AdminDataSource.CreateCommand(
            $"ALTER TABLE orders_rm_g{generation} ADD CONSTRAINT no_poison CHECK (customer_id <> 'poison')"))
            await command.ExecuteNonQueryAsync();
        await using var dataSource = ProjectionDataSource.Create(_db.AppConnectionString, "poison");
        var runner = new ProjectionRunner(LedgerProjections.Find(OrdersProjectionName)!, generation, dataSource, _db.Store,
            new ProjectionDaemonOptions { BatchSize = 1000, MaxAttempts = 1 }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        // Blocked: other tests' open transactions on the shared server hold the read horizon back for a moment.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        StepOutcome outcome;
        while ((outcome = await runner.StepAsync(CancellationToken.None)) is StepOutcome.MoreToRead or StepOutcome.CaughtUp or StepOutcome.Blocked
               && DateTime.UtcNow < deadline)
            if (outcome == StepOutcome.Blocked) await Task.Yield();

        outcome.ShouldBe(StepOutcome.Stopped);
        var stopped = await CheckpointStore.LoadAsync(_db.AdminDataSource, OrdersProjectionName, generation, CancellationToken.None);
        stopped!.FailingEventId.ShouldBe(poison);
        stopped.LastError!.ShouldStartWith("23514"); // check_violation
        // Every order appended before the poison one is in the model, none after it.
        (await _db.AdminDataSource.ScalarAsync<long>($"SELECT count(*) FROM orders_rm_g{generation}")).ShouldBe(40);
    }

    private const string OrdersProjectionName = Orders.OrdersProjection.ProjectionName;

    private async Task<int> NewGenerationAsync(string projection)
    {
        var generation = (await Generations.LoadAsync(_db.AdminDataSource, projection, CancellationToken.None)).Highest + 1;
        await Generations.CreateAsync(_db.AdminDataSource, projection, generation, TestDatabase.AppRole, CancellationToken.None);
        return generation;
    }

    /// <summary>An order whose payment fails <paramref name="failures"/> times before it is paid.</summary>
    private static List<OrderEvent> RepeatedFailures(int failures)
    {
        var id = Guid.CreateVersion7();
        var at = OrderHistory.Start.AddDays(failures);
        var events = new List<OrderEvent> { OrderHistory.Lifecycle(id, 0, at)[0] };
        for (var f = 0; f < failures; f++)
        {
            events.Add(new OrderPaymentRequested(id, 25.00m, at.AddHours(2 * f + 1)));
            events.Add(new OrderPaymentFailed(id, "card declined", at.AddHours(2 * f + 2)));
        }
        events.Add(new OrderPaymentRequested(id, 25.00m, at.AddHours(2 * failures + 1)));
        events.Add(new OrderPaid(id, 25.00m, "psp-1", at.AddHours(2 * failures + 2)));
        return events;
    }

    /// <summary>Invoices in two currencies, a partial and a full credit note, one stamped and one in contingency.</summary>
    private async Task IssueInvoicesAsync(string tenant)
    {
        var issuers = new IssuerProfiles(_db.AppDataSource);
        var issuer = new InvoiceIssuer(_db.Store, issuers, new TaxRuleBook(_db.AppDataSource), new ExchangeRates(_db.AppDataSource));
        var creditNotes = new CreditNoteIssuer(_db.Store, issuers);
        CommandContext At(int month, int day) => new(tenant, "clerk", new DateTimeOffset(2026, month, day, 12, 0, 0, TimeSpan.Zero), "c", null, null, "test");
        Task<DocumentWritten> Issue(int month, string currency, decimal? rate, params InvoiceLine[] lines) =>
            issuer.IssueAsync(At(month, 10), new IssueInvoiceRequest(Guid.CreateVersion7(), null, null, "cust-1",
                new TaxIdInput("ES", "B12345674"), null, currency, lines, rate));

        var jan = await Issue(1, "EUR", null, new InvoiceLine("Paper", 3m, 10.00m, 10m, "es.vat.general"), new InvoiceLine("Book", 2m, 4.95m, 0m, "es.vat.reduced"));
        var feb = await Issue(2, "USD", 0.9234m, new InvoiceLine("Service", 1m, 100m, 0m, "es.vat.general"), new InvoiceLine("Course", 1m, 50m, 0m, "exempt"));
        var mar = await Issue(3, "EUR", null, new InvoiceLine("Clip", 2m, 0.35m, 0m, "es.vat.reduced"));
        await creditNotes.IssueAsync(At(2, 1), new IssueCreditNoteRequest(Guid.CreateVersion7(), jan.DocumentId, null, [new CreditedLine(1, 1m)], "return"));
        await creditNotes.IssueAsync(At(3, 20), new IssueCreditNoteRequest(Guid.CreateVersion7(), mar.DocumentId, null, null, "cancelled"));

        var authority = new SimulatedFiscalAuthority();
        using var signer = ContingencySigner.Generate();
        var stamper = new DocumentStamper(_db.Store, authority, signer, issuers, new StampingOptions(), TimeProvider.System);
        await stamper.AttemptAsync(tenant, jan.DocumentId, DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);
        authority.GoDown();
        await stamper.AttemptAsync(tenant, feb.DocumentId, DateTimeOffset.UtcNow, CancellationToken.None);
    }
}
