using Ledger.EventStore.Leases;
using Ledger.Projections;
using Ledger.TestSupport;
using Npgsql;
using RabbitMQ.Client;

namespace Ledger.EndToEnd.Tests.MultiHost;

/// <summary>What the database says about a cluster: who holds which background role, and counts of what was written.</summary>
public sealed class ClusterProbe(TestDatabase db)
{
    /// <summary>The roles held under an advisory lease: the relay, the checkpoint signer, each projection.</summary>
    public static IReadOnlyList<string> LeasedRoles { get; } =
        ["relay", "checkpointer", .. LedgerProjections.All.Select(p => Ledger.Projections.Daemon.ProjectionLeases.Live(p.Name))];

    /// <summary>
    /// Role → the host holding its lease (a role nobody holds is absent). The relay and the checkpoint signer lease on
    /// the host's own connections (application name <c>ledger-&lt;host&gt;</c>); the projection daemon leases on connections
    /// of its own and records the holder's <c>machine:pid</c> in <c>projection_checkpoints.owner</c>.
    /// </summary>
    public async Task<RoleHolders> RoleHoldersAsync(IReadOnlyCollection<HostProcess> hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        var names = LeasedRoles.ToDictionary(role => AdvisoryLease.KeyFor(db.Schema, role));
        await using var command = db.AdminDataSource.CreateCommand("""
            SELECT ((l.classid::bigint << 32) | l.objid::bigint), a.application_name
              FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
             WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
               AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """);
        var holders = new RoleHolders();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                if (names.TryGetValue(reader.GetInt64(0), out var role)) holders[role] = reader.GetString(1);

        await using var owners = db.AdminDataSource.CreateCommand("""
            SELECT c.name, c.owner FROM projection_checkpoints c JOIN projections p ON p.name = c.name AND p.live_generation = c.generation
            """);
        await using (var reader = await owners.ExecuteReaderAsync())
            while (await reader.ReadAsync())
            {
                var role = Ledger.Projections.Daemon.ProjectionLeases.Live(reader.GetString(0));
                if (!holders.ContainsKey(role) || reader.IsDBNull(1)) continue;
                var pid = reader.GetString(1).Split(':')[^1];
                holders[role] = hosts.FirstOrDefault(h => h.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture) == pid) is { } host
                    ? "ledger-" + host.Name
                    : "owner " + reader.GetString(1);
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

/// <summary>A queue of the test's own, bound to the cluster's exchange with <c>#</c>: every message the relay publishes.</summary>
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
        // Declared as the relay declares it (durable topic), whichever of the two comes first.
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
