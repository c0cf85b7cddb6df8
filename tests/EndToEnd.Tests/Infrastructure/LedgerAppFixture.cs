using Ledger.Host.Auth;
using Ledger.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The whole Host, in memory, on a fresh schema of the real test PostgreSQL and with its own signing key:
/// one per test class, so classes run in parallel. Tests isolate further by using a new tenant each.
/// </summary>
public sealed class LedgerAppFixture : IAsyncLifetime
{
    public const string Issuer = "ledger-test";
    public const string Audience = "ledger-api-test";

    private readonly string _keyDirectory = Path.Combine(Path.GetTempPath(), "ledger-e2e-" + Guid.NewGuid().ToString("N"));
    private WebApplicationFactory<Program>? _factory;
    private TestDatabase? _db;

    public TestDatabase Db => _db ?? throw new InvalidOperationException("not initialized");

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("not initialized");

    public string SigningKeyPath => Path.Combine(_keyDirectory, "signing-key.pem");

    public TestTokens Tokens { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        SigningKeyFiles.Generate(SigningKeyPath);
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
            ["Ledger:Auth:SigningKeyPath"] = SigningKeyPath,
            ["Serilog:MinimumLevel:Default"] = "Warning",
        };
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseEnvironment("Testing");
            host.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(settings));
        });
        Tokens = new TestTokens(Factory.Services.GetRequiredService<LedgerSigningKeys>(), Issuer, Audience);
    }

    public HttpClient Client() => Factory.CreateClient();

    public async Task DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
        if (_db is not null) await _db.DisposeAsync();
        if (Directory.Exists(_keyDirectory)) Directory.Delete(_keyDirectory, recursive: true);
    }
}
