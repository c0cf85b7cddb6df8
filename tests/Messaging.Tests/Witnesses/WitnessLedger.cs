using Ledger.EventStore;
using Ledger.EventStore.Checkpoints;
using Ledger.Messaging.Tests.Infrastructure;
using Ledger.Messaging.Witnesses;
using Ledger.TestSupport;
using static Ledger.TestSupport.TestEvents;

namespace Ledger.Messaging.Tests.Witnesses;

/// <summary>
/// A fresh schema (event store and messaging migrations: checkpoints, notes, deliveries) with a registered signing key,
/// tenants whose heads it signs on demand, and witness publishers wired as the Host wires them.
/// </summary>
public sealed class WitnessLedger : IAsyncDisposable
{
    public const string KeyName = "ledger.test";
    private readonly List<string> folders = [];

    private readonly bool ownsDatabase;

    private WitnessLedger(TestDatabase db, bool ownsDatabase)
    {
        Db = db;
        this.ownsDatabase = ownsDatabase;
    }

    public TestDatabase Db { get; }

    public CheckpointKey Key { get; } = CheckpointKey.Generate();

    public TestLogs Logs { get; } = new();

    public SigningKeyHistory History => new(Db.AppDataSource);

    public WitnessDeliveries Deliveries => new(Db.AppDataSource);

    /// <param name="db">A database someone else disposes (a <see cref="MessagingHarness"/>'s); by default a fresh one of its own.</param>
    public static async Task<WitnessLedger> CreateAsync(TestDatabase? db = null)
    {
        var ledger = new WitnessLedger(db ?? await TestDatabase.CreateAsync(MessagingMigrations.Set), ownsDatabase: db is null);
        await ledger.History.RegisterAsync(ledger.Key, DateTimeOffset.UtcNow.AddMinutes(-1));
        return ledger;
    }

    /// <summary>Appends <paramref name="entries"/> entries to the tenant, waits until they are sealed, and signs its head.</summary>
    public async Task<SignedCheckpoint> SignAsync(string tenant, int entries = 2)
    {
        for (var i = 0; i < entries; i++) await Db.Store.AppendAsync(tenant, [To("s-" + (i % 2), ExpectedVersion.Any, Event())]);
        await Db.SealedAsync();
        var checkpointer = new Checkpointer(Db.AppDataSource, Db.Store, Key, History, new CheckpointStore(Db.AppDataSource),
            new CheckpointPolicy(1, TimeSpan.Zero), TimeProvider.System, Db.Progress);
        var outcome = await checkpointer.CheckpointAsync(tenant);
        outcome.Result.ShouldBe(CheckpointResult.Signed, outcome.Failure?.Detail);
        return outcome.Checkpoint!;
    }

    public WitnessPublisher Publisher(ICheckpointWitness witness, int batchSize = 100) =>
        new(Deliveries, new CheckpointNotes(Db.AppDataSource, KeyName, () => Key), witness, batchSize);

    public DirectoryWitness Directory(string? folder = null) => new(folder ?? NewFolder(), Logs.For<DirectoryWitness>());

    public string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ledger-witness-test-" + Guid.NewGuid().ToString("N"));
        folders.Add(folder);
        return folder;
    }

    public async Task<LedgerKeySet> KeysAsync() => await History.ReadAsync();

    public async Task<int> DeliveredCountAsync(string witness)
    {
        await using var command = Db.AdminDataSource.CreateCommand("SELECT count(*) FROM checkpoint_witness_deliveries WHERE witness = $1");
        command.Parameters.Add(new() { Value = witness });
        return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>As if the process died after the witness accepted its checkpoints and before it recorded that.</summary>
    public async Task ForgetDeliveriesAsync(string witness)
    {
        foreach (var table in new[] { "checkpoint_witness_deliveries", "checkpoint_witness_progress" })
        {
            await using var command = Db.AdminDataSource.CreateCommand($"DELETE FROM {table} WHERE witness = $1");
            command.Parameters.Add(new() { Value = witness });
            await command.ExecuteNonQueryAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var folder in folders.Where(System.IO.Directory.Exists)) System.IO.Directory.Delete(folder, recursive: true);
        foreach (var file in folders.Where(File.Exists)) File.Delete(file);
        Key.Dispose();
        if (ownsDatabase) await Db.DisposeAsync();
    }
}
