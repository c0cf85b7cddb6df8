using Alba;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.EndToEnd.Tests.ReadModels;

/// <summary>
/// The Host in memory, as <see cref="LedgerAppFixture"/> runs it, with its projection daemon tuned for tests: quick
/// polls and leases, and a short read-your-writes wait so "not caught up" answers come fast.
/// </summary>
public sealed class ReportsAppFixture : IAsyncLifetime
{
    private readonly string _keyDirectory = Path.Combine(Path.GetTempPath(), "ledger-reports-" + Guid.NewGuid().ToString("N"));
    private IAlbaHost? _host;
    private TestDatabase? _db;

    public TestDatabase Db => _db ?? throw new InvalidOperationException("not initialized");

    public TestTokens Tokens { get; private set; } = null!;

    public string SigningKeyPath => Path.Combine(_keyDirectory, "signing-key.pem");

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(sealing: false);
        SigningKeyFiles.Generate(SigningKeyPath);
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Ledger"] = Db.AppConnectionString,
            ["ConnectionStrings:LedgerAdmin"] = Db.AdminConnectionString,
            ["Ledger:Database:Schema"] = Db.Schema,
            ["Ledger:Database:AppRole"] = TestDatabase.AppRole,
            ["Ledger:Database:MigrateOnStart"] = "true",
            ["Ledger:Database:EnsureAppRole"] = "false",
            ["Ledger:Auth:Issuer"] = LedgerAppFixture.Issuer,
            ["Ledger:Auth:Audience"] = LedgerAppFixture.Audience,
            ["Ledger:Auth:SigningKeyPath"] = SigningKeyPath,
            ["Ledger:RateLimits:Enabled"] = "false",
            ["Ledger:Projections:ReadYourWritesTimeout"] = "00:00:01",
            ["Ledger:Projections:RetryBaseDelay"] = "00:00:00.020",
            ["Ledger:Projections:SuperviseInterval"] = "00:00:00.050",
            ["Ledger:Projections:MaxAttempts"] = "3",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        };
        _host = await InMemoryHost.StartAsync(settings);
        Tokens = new TestTokens(_host.Services.GetRequiredService<LedgerSigningKeys>(), LedgerAppFixture.Issuer, LedgerAppFixture.Audience);
    }

    public HttpClient Client() => (_host ?? throw new InvalidOperationException("not initialized")).Client();

    public OrderApi As(string tenant, params string[] roles) => new(Client(), Tokens.For(tenant, roles), tenant, Db.Store);

    /// <summary>A report reader with these roles; with none, one without a token at all.</summary>
    public ReportClient Reader(string tenant, params string[] roles) => new(Client(), roles.Length == 0 ? null : Tokens.For(tenant, roles));

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        if (_db is not null) await _db.DisposeAsync();
        if (Directory.Exists(_keyDirectory)) Directory.Delete(_keyDirectory, recursive: true);
    }
}
