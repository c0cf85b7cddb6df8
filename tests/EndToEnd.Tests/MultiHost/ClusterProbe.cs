using Ledger.EventStore.Leases;
using Ledger.TestSupport;
using Npgsql;
using RabbitMQ.Client;

namespace Ledger.EndToEnd.Tests.MultiHost;

/// <summary>What the database says about a cluster: who holds which background role, and counts of what was written.</summary>
public sealed class ClusterProbe(TestDatabase db)
{
    /// <summary>
    /// The roles held under an advisory lock: the checkpoint signer (Ledger's lease), and Marten's async daemon (its
    /// HotCold leadership: the chain sealer, every read model's projection, and the outbox's publishing shard
    /// <c>ledger_outbox:All</c>, which took over the relay's lease).
    /// </summary>
    public static IReadOnlyList<string> LeasedRoles { get; } = ["checkpointer", MartenDaemon];

    public const string MartenDaemon = "marten-daemon";

    /// <summary>
    /// Role → the host holding its lock (a role nobody holds is absent), by the application name of the connection that
    /// holds it: every host connects as <c>ledger-&lt;host&gt;</c>, Marten's daemon through the host's own pool. Marten
    /// takes its leadership and shard locks under ids it derives from <c>DaemonLockId</c>; any advisory lock a host holds
    /// besides Ledger's leases is taken as the daemon's.
    /// </summary>
    public async Task<RoleHolders> RoleHoldersAsync(IReadOnlyCollection<HostProcess> hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        var names = LeasedRoles.Where(r => r != MartenDaemon).ToDictionary(role => AdvisoryLease.KeyFor(db.Schema, role));
        var hostNames = hosts.Select(h => "ledger-" + h.Name).ToHashSet(StringComparer.Ordinal);
        await using var command = db.AdminDataSource.CreateCommand("""
            SELECT ((l.classid::bigint << 32) | l.objid::bigint), a.application_name
              FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
             WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
               AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """);
        var holders = new RoleHolders();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
            {
                if (names.TryGetValue(reader.GetInt64(0), out var role)) holders[role] = reader.GetString(1);
                else if (hostNames.Contains(reader.GetString(1))) holders[MartenDaemon] = reader.GetString(1);
            }
        return holders;
    }

    /// <summary>A count over the given tenants (<c>$1</c>, a text array).</summary>
    public async Task<long> ScalarAsync(string sql, string[] tenants)
    {
        await using var command = db.AdminDataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = tenants });
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>A queue of the test's own, bound to the cluster's exchange with <c>#</c>: every message the outbox publishes.</summary>
public sealed class BrokerTap : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly string _queue;
    private readonly List<(string RoutingKey, string? MessageId)> _seen = [];

    private BrokerTap(IConnection connection, IChannel channel, string queue)
    {
        _connection = connection;
        _channel = channel;
        _queue = queue;
    }

    public static async Task<BrokerTap> CreateAsync(string uri, string exchange)
    {
        var connection = await new ConnectionFactory { Uri = new Uri(uri), ClientProvidedName = "ledger-test-tap" }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        // Declared as the outbox declares it (durable topic), whichever of the two comes first.
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false);
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(queue, exchange, "#");
        return new BrokerTap(connection, channel, queue);
    }

    /// <summary>Takes what has arrived since the last call; returns everything seen so far.</summary>
    public async Task<IReadOnlyList<(string RoutingKey, string? MessageId)>> DrainAsync()
    {
        while (await _channel.BasicGetAsync(_queue, autoAck: true) is { } message)
            _seen.Add((message.RoutingKey, message.BasicProperties.MessageId));
        return _seen;
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.CloseAsync();
        await _connection.CloseAsync();
        _channel.Dispose();
        _connection.Dispose();
    }
}

/// <summary>Role → holder, printable in a failure message.</summary>
public sealed class RoleHolders : Dictionary<string, string>
{
    public RoleHolders()
        : base(StringComparer.Ordinal)
    {
    }

    public override string ToString() => "{" + string.Join(", ", this.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}")) + "}";
}
