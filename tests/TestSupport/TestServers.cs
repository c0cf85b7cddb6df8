using DotNet.Testcontainers.Containers;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace Ledger.TestSupport;

/// <summary>Where a server the tests use came from.</summary>
public enum TestServerSource
{
    /// <summary>The connection variable (<c>LEDGER_PG_ADMIN</c>, <c>LEDGER_RABBITMQ</c>) names it.</summary>
    Configured,

    /// <summary>A Testcontainers container this test process started.</summary>
    Container,

    /// <summary>The local server scripts/pg.sh or scripts/rabbitmq.sh starts, on its default port.</summary>
    ScriptStarted,
}

/// <summary>
/// The PostgreSQL and RabbitMQ servers tests run against, each chosen once per test process:
/// <list type="number">
/// <item>the server its variable names (<c>LEDGER_PG_ADMIN</c>, <c>LEDGER_RABBITMQ</c>): scripts/services.sh exports
/// both for <c>make test</c> and CI, so CI always takes this path, with the servers the scripts started;</item>
/// <item>else, when a Docker engine answers (<see cref="DockerEngine"/>), a container started on first use, shared by
/// the whole test process and removed when it exits (Testcontainers' reaper removes it too if the process dies);</item>
/// <item>else the script-started server on its default port (<c>LEDGER_PG_PORT</c>, <c>LEDGER_RABBITMQ_PORT</c>, as
/// scripts/env.sh reads them).</item>
/// </list>
/// No Docker engine runs on our machines, so the container path is written but untested here (README, "Tests").
/// </summary>
public static class TestServers
{
    /// <summary>The local cluster's major version (Debian's PostgreSQL 15), so both paths run the same server.</summary>
    public const string PostgresImage = "postgres:15";

    /// <summary>The local node's version (Debian's rabbitmq-server 3.10), for the same reason.</summary>
    public const string RabbitMqImage = "rabbitmq:3.10";

    private static readonly Lazy<string> postgres = new(() =>
        Locate("LEDGER_PG_ADMIN", () => ScriptStartedPostgres(Environment.GetEnvironmentVariable("LEDGER_PG_PORT")), StartPostgresAsync));

    private static readonly Lazy<Uri> rabbitMq = new(() =>
        new Uri(Locate("LEDGER_RABBITMQ", () => ScriptStartedRabbitMq(Environment.GetEnvironmentVariable("LEDGER_RABBITMQ_PORT")), StartRabbitMqAsync)));

    /// <summary>An Npgsql connection string as the server's owner (a superuser: tests create roles and schemas).</summary>
    public static string PostgresAdmin => postgres.Value;

    /// <summary>The AMQP URL of the broker, as a user who may declare and delete exchanges and queues.</summary>
    public static Uri RabbitMq => rabbitMq.Value;

    /// <summary>
    /// The rule, apart from the world it reads: a configured server wins (and Docker is not even asked), then a
    /// container if an engine answers, then the script-started server. An empty variable counts as unset, as in the scripts.
    /// </summary>
    public static TestServerSource Choose(string? configured, Func<bool> dockerAnswers)
    {
        ArgumentNullException.ThrowIfNull(dockerAnswers);
        if (!string.IsNullOrEmpty(configured)) return TestServerSource.Configured;
        return dockerAnswers() ? TestServerSource.Container : TestServerSource.ScriptStarted;
    }

    public static string ScriptStartedPostgres(string? port) =>
        $"Host=127.0.0.1;Port={(string.IsNullOrEmpty(port) ? "55432" : port)};Username=postgres;Database=ledger";

    public static string ScriptStartedRabbitMq(string? port) =>
        $"amqp://guest:guest@127.0.0.1:{(string.IsNullOrEmpty(port) ? "55672" : port)}/";

    private static string Locate(string variable, Func<string> scriptStarted, Func<Task<string>> startContainer)
    {
        var configured = Environment.GetEnvironmentVariable(variable);
        return Choose(configured, () => DockerEngine.AnswersHere) switch
        {
            TestServerSource.Configured => configured!,
            // Off the caller's synchronization context: the first test to ask waits here while the container starts.
            TestServerSource.Container => Task.Run(startContainer).GetAwaiter().GetResult(),
            _ => scriptStarted(),
        };
    }

    private static async Task<string> StartPostgresAsync()
    {
        var container = new PostgreSqlBuilder(PostgresImage)
            .WithDatabase("ledger")
            .WithUsername("postgres")
            .WithPassword("postgres")
            // As scripts/pg.sh sets up its cluster: C.UTF-8 collation (ORDER BY on text reads the same) and room
            // for every test class's Host and pools at once.
            .WithEnvironment("POSTGRES_INITDB_ARGS", "--encoding=UTF8 --locale=C.UTF-8")
            .WithCommand("-c", "max_connections=300")
            .Build();
        await StartAsync(container);
        return container.GetConnectionString();
    }

    private static async Task<string> StartRabbitMqAsync()
    {
        var container = new RabbitMqBuilder(RabbitMqImage).WithUsername("ledger").WithPassword("ledger").Build();
        await StartAsync(container);
        return container.GetConnectionString();
    }

    private static async Task StartAsync(IContainer container)
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => container.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(30));
        await container.StartAsync();
    }
}
