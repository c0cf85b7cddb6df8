using System.Text.RegularExpressions;
using Ledger.EventStore.Connections;
using Npgsql;

namespace Ledger.Host.Configuration;

/// <summary>
/// The two ways into PostgreSQL: <see cref="App"/> as the append-only application role with the store's schema
/// as its search path, and <see cref="Admin"/> as the schema owner, used only to migrate.
/// </summary>
public sealed partial class LedgerDataSources : IAsyncDisposable
{
    public const string AppConnectionName = "Ledger";
    public const string AdminConnectionName = "LedgerAdmin";

    private readonly Lazy<NpgsqlDataSource> _admin;

    private LedgerDataSources(NpgsqlDataSource app, string? appPassword, string? adminConnection, string schema)
    {
        App = app;
        AppPassword = appPassword;
        HasAdmin = adminConnection is not null;
        _admin = new Lazy<NpgsqlDataSource>(() => adminConnection is null
            ? throw new InvalidOperationException($"ConnectionStrings:{AdminConnectionName} is not configured.")
            : NpgsqlDataSource.Create(adminConnection));
        Schema = schema;
    }

    public NpgsqlDataSource App { get; }

    public string Schema { get; }

    public bool HasAdmin { get; }

    /// <exception cref="InvalidOperationException">no <c>ConnectionStrings:LedgerAdmin</c> is configured.</exception>
    public NpgsqlDataSource Admin => _admin.Value;

    public static LedgerDataSources Create(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var database = LedgerConfiguration.Database(configuration);
        if (!SchemaName().IsMatch(database.Schema))
            throw new InvalidOperationException($"{LedgerDatabaseOptions.Section}:Schema must be a plain lower-case identifier.");

        var appConnection = configuration.GetConnectionString(AppConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{AppConnectionName} is not configured.");
        var app = new NpgsqlConnectionStringBuilder(appConnection) { SearchPath = database.Schema };
        return new LedgerDataSources(
            LedgerDataSource.Create(app.ConnectionString), app.Password,
            configuration.GetConnectionString(AdminConnectionName), database.Schema);
    }

    /// <summary>The app role's password as configured, to create the role in development.</summary>
    public string? AppPassword { get; }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        if (_admin.IsValueCreated) await _admin.Value.DisposeAsync();
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaName();
}
