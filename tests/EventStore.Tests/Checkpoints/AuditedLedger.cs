using System.Text.Json;
using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Export;
using Ledger.TestSupport;
using Npgsql;
using static Ledger.TestSupport.TestEvents;

namespace Ledger.EventStore.Tests.Checkpoints;

/// <summary>A clock tests move by hand: checkpoint policies and key validity without sleeping.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset now = start;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}

/// <summary>
/// A fresh schema with the checkpoint machinery wired as the Host wires it, a signing key already registered, and the
/// tampering a superuser could do (triggers off for one transaction), for checkpoint, verification and export tests.
/// </summary>
public sealed class AuditedLedger : IAsyncDisposable
{
    private readonly List<string> folders = [];

    private AuditedLedger(TestDatabase db, CheckpointKey key)
    {
        Db = db;
        Key = key;
        History = new SigningKeyHistory(db.AppDataSource);
        Checkpoints = new CheckpointStore(db.AppDataSource);
    }

    public TestDatabase Db { get; }
    public CheckpointKey Key { get; private set; }
    public ManualClock Clock { get; } = new(DateTimeOffset.UtcNow);
    public SigningKeyHistory History { get; }
    public CheckpointStore Checkpoints { get; }
    public CheckpointPolicy Policy { get; set; } = new(5, TimeSpan.FromMinutes(5));

    public static async Task<AuditedLedger> CreateAsync()
    {
        var ledger = new AuditedLedger(await TestDatabase.CreateAsync(), CheckpointKey.Generate());
        await ledger.History.RegisterAsync(ledger.Key, ledger.Clock.GetUtcNow());
        return ledger;
    }

    public Checkpointer Checkpointer(CheckpointKey? key = null, SignedHeads? signed = null, SignedTrees? trees = null) =>
        new(Db.AppDataSource, Db.Store, key ?? Key, History, Checkpoints, Policy, Clock, signed: signed, trees: trees);

    public SignedChainVerifier Verifier(int pageSize = 3) => new(Db.AppDataSource, History, Checkpoints, pageSize);

    public ExportWriter ExportWriter() => new(Db.AppDataSource, Checkpoints, History, Clock, pageSize: 4);

    /// <summary>Rotates to a new key: registered a second later, used by <see cref="Checkpointer"/> from now on.</summary>
    public async Task<CheckpointKey> RotateAsync()
    {
        Clock.Advance(TimeSpan.FromSeconds(1));
        var next = CheckpointKey.Generate();
        (await History.RotateAsync(next, Clock.GetUtcNow())).Outcome.ShouldBe(KeyRegistration.Rotated);
        Key = next;
        return next;
    }

    public async Task AppendAsync(string tenant, int count)
    {
        for (var i = 0; i < count; i++)
            await Db.Store.AppendAsync(tenant, [To("s-" + (i % 3), ExpectedVersion.Any, Event())]);
    }

    public async Task<SignedCheckpoint> CheckpointAsync(string tenant)
    {
        Clock.Advance(TimeSpan.FromMilliseconds(10));
        var outcome = await Checkpointer().CheckpointAsync(tenant);
        outcome.Result.ShouldBe(CheckpointResult.Signed, outcome.Failure?.Detail);
        return outcome.Checkpoint!;
    }

    /// <summary>
    /// A tenant with ten entries and checkpoints at 5 and 10: four events, the key's rotation entry at 5 (the first
    /// checkpoint under a key announces it), a checkpoint, five more events, a checkpoint.
    /// </summary>
    public async Task<string> TenantWithCheckpointsAsync()
    {
        var tenant = TestDatabase.NewTenant("audit");
        await AppendAsync(tenant, 4);
        (await CheckpointAsync(tenant)).Checkpoint.ChainSeq.ShouldBe(5);
        await AppendAsync(tenant, 5);
        (await CheckpointAsync(tenant)).Checkpoint.ChainSeq.ShouldBe(10);
        return tenant;
    }

    /// <summary>Runs the resumable verification to its end, page by page, as an auditor's client would.</summary>
    public async Task<(VerificationStep Last, int Pages)> VerifyAllAsync(string tenant, long from = 1, long? to = null, long perPage = 4)
    {
        var verifier = Verifier();
        var step = await verifier.StepAsync(tenant, from, to, null, perPage);
        var pages = 1;
        while (step.Status == VerificationStatus.InProgress)
        {
            step = await verifier.StepAsync(tenant, from, to, step.Cursor, perPage);
            pages++;
        }
        return (step, pages);
    }

    /// <summary>Exports the tenant into a new temporary folder, deleted with this object.</summary>
    public async Task<string> ExportAsync(string tenant, long from = 1, long? to = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "ledger-export-test-" + Guid.NewGuid().ToString("N"));
        folders.Add(folder);
        Clock.Advance(TimeSpan.FromMilliseconds(10));
        await ExportWriter().WriteAsync(tenant, from, to, folder, Key);
        return folder;
    }

    public string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ledger-export-test-" + Guid.NewGuid().ToString("N"));
        folders.Add(folder);
        return folder;
    }

    /// <summary>As a superuser who switched the append-only triggers off for one transaction.</summary>
    public Task TamperAsync(string sql, params object[] parameters) => Db.TamperAsync(sql, parameters);

    /// <summary>
    /// The forger's best: edits an entry and recomputes every hash after it and the head, so the chain is consistent
    /// again; only a checkpoint signed before can tell.
    /// </summary>
    public Task RewriteFromAsync(string tenant, long position) => Db.RewriteFromAsync(tenant, position);

    public async Task<byte[]> StoredChainHashAsync(string tenant, long position) =>
        (await new ChainEntryReader(Db.AdminDataSource).ChainHashAtAsync(tenant, position))!;

    public static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    public async ValueTask DisposeAsync()
    {
        foreach (var folder in folders.Where(Directory.Exists)) Directory.Delete(folder, recursive: true);
        foreach (var file in folders.Where(File.Exists)) File.Delete(file);
        Key.Dispose();
        await Db.DisposeAsync();
    }
}
