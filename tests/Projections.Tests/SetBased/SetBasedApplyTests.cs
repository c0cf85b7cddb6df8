using Ledger.Application;
using Ledger.Application.Orders;
using Ledger.Application.Invoicing;
using Ledger.Application.Invoicing.Settings;
using Ledger.Application.Invoicing.Stamping;
using Ledger.Domain.Invoicing;
using Ledger.Domain.Orders;
using Ledger.EventStore;
using Ledger.Projections.OnMarten;
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

        foreach (var projection in LedgerProjections.All)
        {
            var setBased = await GenerationCompare.BuildFromScratchAsync(_db, projection, new ProjectionOptions { BatchSize = 1000 });
            var oneByOne = await GenerationCompare.BuildFromScratchAsync(_db, projection, new ProjectionOptions { BatchSize = 1000, SetBased = false });
            var (differences, rows) = await GenerationCompare.CompareAsync(_db, projection.Name, setBased, oneByOne);
            rows.ShouldBeGreaterThan(0, projection.Name);
            differences.ShouldBe(0, projection.Name);
        }
    }

    [Fact]
    public async Task Given_a_statement_that_fails_inside_a_set_based_group_Then_the_supervisor_names_exactly_that_event()
    {
        var tenant = TestDatabase.NewTenant();
        await OrderHistory.AppendOrdersAsync(_db.Store, tenant, 40, seed: 1);
        var poisonOrder = Guid.CreateVersion7();
        await _db.Store.AppendAsync(tenant, [OrderHistory.Stream(poisonOrder, OrderHistory.Lifecycle(poisonOrder, 0, OrderHistory.Start, customer: "poison"))]);
        await OrderHistory.AppendOrdersAsync(_db.Store, tenant, 40, seed: 2);
        var poison = await _db.AdminDataSource.ScalarAsync<Guid>(
            "SELECT id FROM mt_events WHERE stream_id = $1 AND version = 1", OrderStreams.For(poisonOrder));

        // The read model refuses that one customer: its created event is one row of the page's created group.
        var options = new ProjectionOptions { BatchSize = 1000, MaxAttempts = 1 };
        await using var build = await GenerationBuild.StartAsync(_db, LedgerProjections.Find(OrdersProjectionName)!, options,
            "ALTER TABLE orders_rm_{g} ADD CONSTRAINT no_poison CHECK (customer_id <> 'poison')");
        var supervisor = new ProjectionSupervisor(build.Store, _db.AppDataSource, [build.Projection], options,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var stopped = await Eventually.Until(async () =>
        {
            await supervisor.CheckAsync(build.Daemon, CancellationToken.None);
            return await ProjectionGeneration.LoadAsync(_db.AdminDataSource, OrdersProjectionName, build.Generation, CancellationToken.None);
        }, g => g?.Status == ProjectionGeneration.Failed, TimeSpan.FromSeconds(60), "the new generation to stop");

        stopped!.FailingEventId.ShouldBe(poison);
        (await _db.AdminDataSource.ScalarAsync<string>("SELECT last_error FROM projection_generations WHERE name = $1 AND generation = $2",
            OrdersProjectionName, build.Generation)).ShouldStartWith("23514"); // check_violation
        // The page that holds it committed nothing: the generation stopped before the poison event.
        (await build.PositionAsync()).ShouldBeLessThan(await _db.AdminDataSource.ScalarAsync<long>("SELECT seq_id FROM mt_events WHERE id = $1", poison));
        (await _db.AdminDataSource.ScalarAsync<long>($"SELECT count(*) FROM orders_rm_g{build.Generation} WHERE customer_id = 'poison'")).ShouldBe(0);
    }

    private const string OrdersProjectionName = Orders.OrdersProjection.ProjectionName;

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
        var issuer = new TestInvoiceIssuer(_db, new InvoiceIssuer(_db.EventStore, issuers, new TaxRuleBook(_db.AppDataSource), new ExchangeRates(_db.AppDataSource), _db.SubjectKeys));
        var creditNotes = new TestCreditNoteIssuer(_db, new CreditNoteIssuer(_db.EventStore, issuers));
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
