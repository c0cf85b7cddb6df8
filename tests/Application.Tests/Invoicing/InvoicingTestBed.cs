using Ledger.Application.Invoicing;
using Ledger.Application.Invoicing.Events;
using Ledger.Application.Invoicing.Settings;
using Ledger.Application.Invoicing.Stamping;
using Ledger.Domain.Invoicing;
using Ledger.EventStore;
using Ledger.EventStore.Migrations;
using Ledger.TestSupport;

namespace Ledger.Application.Tests.Invoicing;

/// <summary>
/// A fresh schema with the event store's and invoicing's migrations, one tenant, and the invoicing services wired as
/// the Host wires them, with the simulated fiscal authority. Each "process" (issuer, stamping run) can be made twice to race.
/// </summary>
public sealed class InvoicingTestBed : IAsyncDisposable
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 15, 0, TimeSpan.Zero);

    private InvoicingTestBed(TestDatabase db, StampingOptions options)
    {
        Db = db;
        Options = options;
        Issuers = new IssuerProfiles(db.AppDataSource);
        Rules = new TaxRuleBook(db.AppDataSource);
        Rates = new ExchangeRates(db.AppDataSource);
        Documents = new FiscalDocuments(db.Store);
        Issuer = NewIssuer();
        CreditNotes = new TestCreditNoteIssuer(db, new CreditNoteIssuer(db.EventStore, Issuers));
    }

    public TestDatabase Db { get; }
    public string Tenant { get; } = TestDatabase.NewTenant("fiscal");
    public StampingOptions Options { get; }
    public SimulatedFiscalAuthority Authority { get; } = new();
    public ContingencySigner Signer { get; } = ContingencySigner.Generate();
    public IssuerProfiles Issuers { get; }
    public TaxRuleBook Rules { get; }
    public ExchangeRates Rates { get; }
    public FiscalDocuments Documents { get; }
    public TestInvoiceIssuer Issuer { get; }
    public TestCreditNoteIssuer CreditNotes { get; }

    /// <param name="invoicing">Invoicing's migrations as applied (all of them unless given: an earlier state, to test a migration).</param>
    public static async Task<InvoicingTestBed> CreateAsync(StampingOptions? options = null, MigrationSet? invoicing = null) =>
        new(await TestDatabase.CreateAsync(invoicing ?? InvoicingMigrations.Set), options ?? new StampingOptions());

    /// <summary>Another issuer, as another process would have: its own memory of the streams' tails.</summary>
    public TestInvoiceIssuer NewIssuer() => new(Db, NewInvoiceIssuer());

    public InvoiceIssuer NewInvoiceIssuer() => new(Db.EventStore, Issuers, Rules, Rates, Db.SubjectKeys);

    public DocumentStamper NewStamper(IFiscalAuthority? authority = null) =>
        new(Db.Store, authority ?? Authority, Signer, Issuers, Options, TimeProvider.System);

    /// <param name="authority">The authority the process calls: the simulator unless given (a guarded one, say).</param>
    public StampingRun NewRun(IFiscalAuthority? authority = null) => new(NewStamper(authority), Options, TimeProvider.System);

    /// <summary>What the stamping shard sends for an issued invoice: its id, tenant and the issued event's time.</summary>
    public async Task<StampInvoice> StampMessage(Guid invoiceId)
    {
        var issued = (await Stream(InvoiceStreams.Invoice(invoiceId))).First();
        return new StampInvoice(Tenant, invoiceId, issued.OccurredAt);
    }

    public CommandContext Context(DateTimeOffset? now = null, string correlation = "corr-1") =>
        new(Tenant, "clerk-1", now ?? DateTimeOffset.UtcNow, correlation, null, "trace-1", "test");

    public static IssueInvoiceRequest Request(
        Guid? id = null, string? series = null, TaxIdInput? taxId = null, string currency = "EUR", decimal? rate = null,
        params InvoiceLine[] lines) =>
        new(id ?? Guid.CreateVersion7(), series, null, "cust-1", taxId, new RecipientPersonalData("Ada Lovelace", "1 Analytical St"), currency,
            lines.Length > 0 ? lines : [new InvoiceLine("Ledger paper", 3m, 10.00m, 10m, "es.vat.general"), new InvoiceLine("Book", 2m, 4.95m, 0m, "es.vat.reduced")],
            rate);

    public static TaxIdInput SpanishCompany => new("ES", "B12345674");

    public Task<IReadOnlyList<RecordedEvent>> Stream(string streamId) => Db.Store.ReadStreamAsync(Tenant, streamId);

    public async Task<InvoiceEvent[]> InvoiceEvents(Guid invoiceId) =>
        [.. (await Stream(InvoiceStreams.Invoice(invoiceId))).Select(InvoiceEventCodec.Decode)];

    public async Task<Invoice.Issued> Invoice(Guid invoiceId) =>
        (await Documents.InvoiceAsync(Tenant, invoiceId))?.State ?? throw new InvalidOperationException($"No invoice {invoiceId}.");

    public async ValueTask DisposeAsync()
    {
        Signer.Dispose();
        await Db.DisposeAsync();
    }
}
