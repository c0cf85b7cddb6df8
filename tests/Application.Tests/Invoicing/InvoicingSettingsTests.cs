using Ledger.Application.Audit;
using Ledger.Application.Invoicing;
using Ledger.Application.Invoicing.Settings;
using Ledger.Domain.Invoicing;
using Ledger.EventStore;
using Ledger.EventStore.MartenStore;
using Ledger.TestSupport;

namespace Ledger.Application.Tests.Invoicing;

/// <summary>
/// Settings as events on the real store: each change lands in its settings table in the append's own transaction
/// (the 0301 trigger, under the application role), versions guard concurrent changes, and the development issuer
/// profile is provided once at first use.
/// </summary>
public sealed class InvoicingSettingsTests : IAsyncLifetime
{
    private InvoicingTestBed bed = null!;
    private InvoicingSettings settings = null!;

    public async Task InitializeAsync()
    {
        bed = await InvoicingTestBed.CreateAsync();
        settings = new InvoicingSettings(bed.Db.EventStore, bed.Issuers, bed.Rules, bed.Rates);
    }

    public async Task DisposeAsync() => await bed.DisposeAsync();

    // As the handler runs them (InvoicingSettingsHandler), minus Wolverine: on a session of the tenant, then saved.
    private Task<SettingsWritten> SetIssuer(CommandContext context, IssuerProfileInput input, long? expected) =>
        TestCommands.RunAsync(bed.Db, context, (session, ct) => settings.SetIssuerAsync(session, Unjournaled.Instance, context, input, expected, ct));

    private Task<TaxRulesPublished> Publish(CommandContext context, DateOnly from, IReadOnlyList<TaxRate> rates, long? expected) =>
        TestCommands.RunAsync(bed.Db, context, (session, ct) => settings.PublishTaxRulesAsync(session, Unjournaled.Instance, context, from, rates, expected, ct));

    private static IssuerProfileInput Profile(string name = "Shop SL") =>
        new(name, "ES", "B12345674", "EUR", "Europe/Madrid", "T-2026", "R-2026", "es.vat.reduced", VeriFactu: false);

    [Fact]
    public async Task A_profile_set_as_an_event_is_what_issuing_reads_and_a_stale_version_writes_nothing()
    {
        var context = bed.Context(InvoicingTestBed.T0);
        (await SetIssuer(context, Profile(), expected: 0)).Version.ShouldBe(1);
        (await bed.Issuers.ForAsync(bed.Tenant)).InvoiceSeries.ShouldBe("T-2026");
        (await SetIssuer(context, Profile(), expected: null)).Result.EventsAppended.ShouldBe(0, "nothing changed");

        await Should.ThrowAsync<ConcurrencyException>(() => SetIssuer(context, Profile("Other SL"), expected: 0));
        (await bed.Issuers.ForAsync(bed.Tenant)).LegalName.ShouldBe("Shop SL");
        (await bed.Issuer.IssueAsync(context, InvoicingTestBed.Request())).Number.Text.ShouldBe("T-2026/000001");
    }

    [Fact]
    public async Task Published_versions_apply_from_their_date_and_two_publications_at_once_cannot_share_a_number()
    {
        var context = bed.Context(InvoicingTestBed.T0);
        var v2 = (await Publish(context, new DateOnly(2026, 4, 1), [new TaxRate("es.vat.general", 22m, false)], expected: 0)).Rules;
        v2.Version.ShouldBe(2);
        (await bed.Rules.InForceAsync(bed.Tenant, new DateOnly(2026, 3, 31))).Version.ShouldBe(1);
        (await bed.Rules.InForceAsync(bed.Tenant, new DateOnly(2026, 4, 1))).Find("es.vat.general")!.Rate.ShouldBe(22m);

        var racers = await Task.WhenAll(Enumerable.Range(0, 4).Select(async i =>
        {
            try
            {
                await Publish(context, new DateOnly(2026, 5, 1 + i), [new TaxRate("es.vat.general", 23m + i, false)], expected: 1);
                return true;
            }
            catch (Exception e) when (e is ConcurrencyException || LedgerMarten.IsConflict(e))
            {
                return false; // refused at once (it read version 2), or lost at commit (the handler would retry it, and refuse it so)
            }
        }));
        racers.Count(won => won).ShouldBe(1);
        (await bed.Rules.VersionsAsync(bed.Tenant)).Select(v => v.Rules.Version).ShouldBe([1, 2, 3]);
        await Should.ThrowAsync<ValidationError>(() => Publish(context, new DateOnly(2026, 6, 1), [new TaxRate("Bad Category", 1m, false)], null));
    }

    [Fact]
    public async Task The_development_profile_is_provided_once_at_first_use_with_its_audit_entry()
    {
        var issuers = new IssuerProfiles(bed.Db.AppDataSource, new DevelopmentIssuerProfile(bed.Db.Store, TimeProvider.System));
        (await bed.Issuers.ForAsync(bed.Tenant)).ShouldBe(IssuerProfile.Unconfigured, "without the fallback nothing is provided");

        var profiles = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => issuers.ForAsync(bed.Tenant)));
        profiles.ShouldAllBe(p => p == DevelopmentIssuerProfile.Profile);
        var set = (await bed.Stream(SettingsEventCodec.IssuerStream)).ShouldHaveSingleItem();
        set.Metadata.Actor.ShouldBe(DevelopmentIssuerProfile.Actor);
        AuditEventCodec.Decode((await bed.Stream(AuditStreams.For(SettingsEventCodec.IssuerStream))).ShouldHaveSingleItem())
            .Action.ShouldBe("provide development issuer profile");

        var paid = new TestPaidOrderInvoicing(bed.Db, new PaidOrderInvoicing(new InvoiceIssuer(bed.Db.EventStore, issuers, bed.Rules, bed.Rates, bed.Db.SubjectKeys), issuers));
        var order = Guid.CreateVersion7();
        var context = bed.Context(InvoicingTestBed.T0);
        foreach (var command in new Domain.Orders.OrderCommand[]
                 {
                     new Domain.Orders.CreateOrder(order, "cust-1", "EUR", [new Domain.Orders.OrderLine("SKU-1", "Widget", 2, 12.50m)], null, null, context.Now, "clerk"),
                     new Domain.Orders.RequestPayment(order, context.Now, "clerk"),
                     new Domain.Orders.PayOrder(order, 25.00m, "PAY-1", context.Now, "clerk"),
                 })
            await new TestOrderCommands(bed.Db).DecideAsync(context, command);
        (await paid.IssueForAsync(context, order)).Number.Text.ShouldBe("DEV/000001");
    }
}
