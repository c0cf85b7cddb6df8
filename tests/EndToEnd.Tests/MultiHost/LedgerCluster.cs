using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.Host.Configuration;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.MultiHost;

/// <summary>
/// Real Host processes sharing one fresh schema, one broker (with an exchange and queues of their own), one token
/// signing key and one checkpoint key: a deployment of several hosts, on loopback. Each host connects under its own
/// PostgreSQL application name, so <c>pg_stat_activity</c> tells which host holds which background role's lease.
/// </summary>
public sealed class LedgerCluster : IAsyncDisposable
{
    public const string Issuer = "ledger-cluster-test";
    public const string Audience = "ledger-api-cluster-test";

    private readonly string _keys = Path.Combine(Path.GetTempPath(), "ledger-cluster-" + Guid.NewGuid().ToString("N"));
    private readonly List<HostProcess> _hosts = [];

    private LedgerCluster(TestDatabase db)
    {
        Db = db;
        Directory.CreateDirectory(_keys);
        SigningKeyFiles.Generate(SigningKeyPath);
        // The checkpoint key every host signs with (production hosts get it from a secret; only dev generates one).
        Ledger.EventStore.Checkpoints.CheckpointKeyFile.Generate(CheckpointKeyPath); // owner-only, as a Host requires
        // One privacy master key for every host, as a deployment configures it (docs/privacy.md).
        Ledger.EventStore.Keys.SecretKeyFile.Write(MasterKeyPath, Ledger.EventStore.Privacy.MasterKeyRing.NewKey(), Ledger.EventStore.Keys.KeyProtection.None);
        var keys = SigningKeyFiles.Load(new LedgerAuthOptions { SigningKeyPath = SigningKeyPath, Issuer = Issuer, Audience = Audience }, mayGenerate: false);
        Tokens = new TestTokens(keys, Issuer, Audience);
        Prefix = "cluster-" + Guid.NewGuid().ToString("N")[..10];
    }

    public TestDatabase Db { get; }

    public TestTokens Tokens { get; }

    /// <summary>The exchange and queue-name prefix of this cluster on the shared broker.</summary>
    public string Prefix { get; }

    public string SigningKeyPath => Path.Combine(_keys, "signing-key.pem");

    public string CheckpointKeyPath => Path.Combine(_keys, "checkpoint-key.pem");

    public string MasterKeyPath => Path.Combine(_keys, "privacy-master-key");

    public static async Task<LedgerCluster> CreateAsync() => new(await TestDatabase.CreateAsync(sealing: false));

    public static string BrokerUri => TestServers.RabbitMq.ToString();

    public HostProcess Start(string name, IReadOnlyDictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:Ledger"] = Db.AppConnectionString + $";Application Name=ledger-{name}",
            ["ConnectionStrings:LedgerAdmin"] = Db.AdminConnectionString + $";Application Name=ledger-{name}-admin",
            ["ConnectionStrings:RabbitMq"] = BrokerUri,
            ["Ledger:Database:Schema"] = Db.Schema,
            ["Ledger:Database:AppRole"] = TestDatabase.AppRole,
            ["Ledger:Database:MigrateOnStart"] = "true",
            ["Ledger:Database:EnsureAppRole"] = "false",
            ["Ledger:Auth:Issuer"] = Issuer,
            ["Ledger:Auth:Audience"] = Audience,
            ["Ledger:Auth:SigningKeyPath"] = SigningKeyPath,
            ["Ledger:Checkpoints:KeyPath"] = CheckpointKeyPath,
            ["Ledger:Privacy:MasterKeyFile"] = MasterKeyPath,
            ["Ledger:Invoicing:ContingencyKeyPath"] = Path.Combine(_keys, "contingency-key.pem"),
            ["Ledger:Messaging:Exchange"] = Prefix + ".events",
            ["Ledger:Messaging:QueuePrefix"] = Prefix + ".",
            ["Ledger:Messaging:ClientName"] = "ledger-" + name,
            ["Ledger:RateLimits:Enabled"] = "false",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>()) settings[key] = value;
        var host = HostProcess.Start(name, settings);
        _hosts.Add(host);
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
        await Db.DisposeAsync();
        if (Directory.Exists(_keys)) Directory.Delete(_keys, recursive: true);
    }
}
