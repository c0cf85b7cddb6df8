using System.Diagnostics;
using System.Net.Http.Headers;
using Alba;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.EventStore;
using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;
using Ledger.Host.Auditing;
using Ledger.Host.Auth;
using Ledger.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Ledger.TestSupport.TestEvents;

// Not Ledger.EndToEnd.Tests.Ledger: that namespace would shadow the root namespace Ledger for the other test files.
namespace Ledger.EndToEnd.Tests.Auditing;

/// <summary>
/// The Host on a fresh schema, with a checkpoint key of its own and small auditor bounds (pages of 5, verification
/// pages of 4 entries, exports of at most 60) so paging and limits show on short chains. The checkpoint signer does not
/// run by itself here: tests sign when they choose, through the same <see cref="Checkpointer"/> the service uses.
/// </summary>
public class AuditorAppFixture : IAsyncLifetime
{
    public const string Issuer = "ledger-test";
    public const string Audience = "ledger-api-test";

    private readonly string directory = Path.Combine(Path.GetTempPath(), "ledger-auditor-" + Guid.NewGuid().ToString("N"));
    private IAlbaHost? host;
    private TestDatabase? db;

    public TestDatabase Db => db ?? throw new InvalidOperationException("not initialized");

    public IAlbaHost Host => host ?? throw new InvalidOperationException("not initialized");

    public string TokenKeyPath => Path.Combine(directory, "token-key.pem");

    /// <summary>
    /// When true, neither the Host nor the CLI is told a key path: both find the key at its default place under
    /// <see cref="DataDirectory"/>, as under <c>make run</c> and <c>./ledger</c>, and the Host creates it.
    /// </summary>
    protected virtual bool KeyInDataDirectory => false;

    /// <summary><c>Ledger:DataDirectory</c> of the Host and the CLI.</summary>
    public string DataDirectory => Path.Combine(directory, "data");

    public string CheckpointKeyPath => KeyInDataDirectory
        ? Path.Combine(DataDirectory, CheckpointOptions.DefaultKeyPath)
        : Path.Combine(directory, "checkpoint-key.pem");

    public TestTokens Tokens { get; private set; } = null!;

    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Ledger:Checkpoints:Enabled", "false"),
        new("Ledger:Checkpoints:EveryEntries", "5"),
        new("Ledger:Auditor:DefaultPageSize", "5"),
        new("Ledger:Auditor:MaxPageSize", "5"),
        new("Ledger:Auditor:VerifyEntriesPerRequest", "4"),
        new("Ledger:Auditor:MaxExportEntries", "60"),
        new("Ledger:Auditor:SealWaitSeconds", "0.5"),
    ];

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync(sealing: false);
        Directory.CreateDirectory(directory);
        SigningKeyFiles.Generate(TokenKeyPath);
        if (!KeyInDataDirectory) CheckpointKeyFile.Generate(CheckpointKeyPath);
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Ledger"] = Db.AppConnectionString,
            ["ConnectionStrings:LedgerAdmin"] = Db.AdminConnectionString,
            ["Ledger:Database:Schema"] = Db.Schema,
            ["Ledger:Database:AppRole"] = TestDatabase.AppRole,
            ["Ledger:Database:MigrateOnStart"] = "true",
            ["Ledger:Database:EnsureAppRole"] = "false",
            ["Ledger:Auth:Issuer"] = Issuer,
            ["Ledger:Auth:Audience"] = Audience,
            ["Ledger:Auth:SigningKeyPath"] = TokenKeyPath,
            ["Ledger:DataDirectory"] = DataDirectory,
            ["Serilog:MinimumLevel:Default"] = "Warning",
        };
        if (!KeyInDataDirectory) settings["Ledger:Checkpoints:KeyPath"] = CheckpointKeyPath;
        foreach (var (key, value) in Settings()) settings[key] = value;
        host = await InMemoryHost.StartAsync(settings);
        Tokens = new TestTokens(Host.Services.GetRequiredService<LedgerSigningKeys>(), Issuer, Audience);
    }

    public HttpClient Client(string? token = null)
    {
        var client = Host.Client();
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A client holding an auditor's token for <paramref name="tenant"/>.</summary>
    public HttpClient Auditor(string tenant) => Client(Tokens.For(tenant, LedgerRoles.Auditor));

    public T Service<T>() where T : notnull => Host.Services.GetRequiredService<T>();

    public async Task AppendAsync(string tenant, int count)
    {
        for (var i = 0; i < count; i++)
            await Db.Store.AppendAsync(tenant, [To("s-" + (i % 3), ExpectedVersion.Any, Event())]);
    }

    public async Task<SignedCheckpoint> CheckpointAsync(string tenant)
    {
        var outcome = await Service<Checkpointer>().CheckpointAsync(tenant);
        outcome.Result.ShouldBe(CheckpointResult.Signed, outcome.Failure?.Detail);
        return outcome.Checkpoint!;
    }

    /// <summary>Ten entries, checkpoints at 5 (after the key's rotation entry at 5) and 10.</summary>
    public async Task<string> TenantWithCheckpointsAsync()
    {
        var tenant = TestDatabase.NewTenant("audit");
        await AppendAsync(tenant, 4);
        (await CheckpointAsync(tenant)).Checkpoint.ChainSeq.ShouldBe(5);
        await AppendAsync(tenant, 5);
        (await CheckpointAsync(tenant)).Checkpoint.ChainSeq.ShouldBe(10);
        return tenant;
    }

    /// <summary>As a superuser with the append-only triggers off for one transaction.</summary>
    public Task TamperAsync(string sql, params object[] parameters) => Db.TamperAsync(sql, parameters);

    /// <summary>Edits the entry at <paramref name="position"/> and recomputes every later hash and the head: only checkpoints can tell.</summary>
    public Task RewriteFromAsync(string tenant, long position) => Db.RewriteFromAsync(tenant, position);

    /// <summary>Runs the built <c>ledger</c> executable in its own process with this fixture's settings.</summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> LedgerAsync(params string[] args) => LedgerAsync(new Dictionary<string, string>(), args);

    /// <summary>As <see cref="LedgerAsync(string[])"/>, with some settings of its own (environment variables).</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> LedgerAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ledger.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["ConnectionStrings__Ledger"] = Db.AppConnectionString;
        start.Environment["ConnectionStrings__LedgerAdmin"] = Db.AdminConnectionString;
        start.Environment["Ledger__Database__Schema"] = Db.Schema;
        start.Environment["Ledger__DataDirectory"] = DataDirectory;
        if (!KeyInDataDirectory) start.Environment["Ledger__Checkpoints__KeyPath"] = CheckpointKeyPath;
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public string NewPath(string name) => Path.Combine(directory, Guid.NewGuid().ToString("N")[..8] + "-" + name);

    public async Task DisposeAsync()
    {
        if (host is not null) await host.DisposeAsync();
        if (db is not null) await db.DisposeAsync();
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }
}

/// <summary>The same Host with the checkpoint signer running by itself: every 3 entries, looking every 20 ms.</summary>
public sealed class SigningAuditorAppFixture : AuditorAppFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        .. base.Settings(),
        new("Ledger:Checkpoints:Enabled", "true"),
        new("Ledger:Checkpoints:EveryEntries", "3"),
        new("Ledger:Checkpoints:PollSeconds", "0.02"),
    ];
}

/// <summary>A signing Host of its own for a test that rewrites a chain it signed, which stops its signer for good.</summary>
public sealed class RewrittenChainAppFixture : AuditorAppFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        .. base.Settings(),
        new("Ledger:Checkpoints:Enabled", "true"),
        new("Ledger:Checkpoints:EveryEntries", "3"),
        new("Ledger:Checkpoints:PollSeconds", "0.02"),
    ];
}

/// <summary>
/// The Host as <c>make run</c> runs it: the checkpoint key at its default place in the data directory (created by the
/// Host), the signer running every 3 entries. The CLI runs from another working directory with the same data directory.
/// </summary>
public sealed class DataDirectoryAuditorAppFixture : AuditorAppFixture
{
    protected override bool KeyInDataDirectory => true;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        .. base.Settings(),
        new("Ledger:Checkpoints:Enabled", "true"),
        new("Ledger:Checkpoints:EveryEntries", "3"),
        new("Ledger:Checkpoints:PollSeconds", "0.02"),
    ];
}

/// <summary>The Host with every <c>Ledger:Checkpoints</c> setting at its default (only the key's place is the test's).</summary>
public sealed class DefaultCheckpointSettingsAppFixture : AuditorAppFixture
{
    protected override bool KeyInDataDirectory => true;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
        base.Settings().Where(s => !s.Key.StartsWith(CheckpointOptions.Section, StringComparison.Ordinal));
}

/// <summary>A host that does not sign (another one does) with the key at its default place in the data directory.</summary>
public sealed class StandbyDataDirectoryAuditorAppFixture : AuditorAppFixture
{
    protected override bool KeyInDataDirectory => true;
}
