using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Ledger.EventStore.Leases;
using Ledger.EventStore.MartenStore;
using Ledger.TestSupport;
using Npgsql;
using RabbitMQ.Client;

namespace Ledger.EndToEnd.Tests.MultiHost;

/// <summary>What the database says about a cluster: who holds which background role, and counts of what was written.</summary>
public sealed class ClusterProbe(TestDatabase db)
{
    /// <summary>Ledger's own lease (the checkpoint signer); every other role is a shard of Marten's daemon.</summary>
    public const string Checkpointer = "checkpointer";

    /// <summary>The outbox's publishing shard on Marten's daemon (it took over the relay's lease).</summary>
    public const string OutboxShard = Ledger.Messaging.Outbox.OutboxSubscription.ShardName;

    /// <summary>
    /// Every role to be held, once the daemon's shards have all passed <paramref name="position"/> (a shard's row in
    /// <c>mt_event_progression</c> appears when it first runs): the checkpointer, and each shard of Marten's daemon (the
    /// chain sealer, each read model's projection, the outbox's publishing shard). Null until then.
    /// </summary>
    public async Task<IReadOnlySet<string>?> RolesOnceShardsPassAsync(long position)
    {
        var shards = await ShardsAsync(position);
        if (!shards.Contains(SubscriptionWatch.SealerShard) || !shards.Contains(OutboxShard) || shards.Count < 3) return null;
        var roles = new SortedSet<string>(shards, StringComparer.Ordinal) { Checkpointer };
        return (await ShardsAsync()).All(shards.Contains) ? roles : null;
    }

    /// <summary>
    /// Role → the host holding its advisory lock (a role nobody holds is absent), by the application name of the
    /// connection that holds it: every host connects as <c>ledger-&lt;host&gt;</c>. Marten's HotCold daemon holds one lock per
    /// shard, its id computed as the daemon computes it (JasperFx's <c>ProjectionLockIds</c> from the schema, the shard and
    /// <c>LedgerMarten.DaemonLockId</c>), so each shard is attributed to its host by its own lock, not by "some lock".
    /// </summary>
    public async Task<RoleHolders> RoleHoldersAsync(IReadOnlyCollection<HostProcess> hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        var names = new Dictionary<long, string> { [AdvisoryLease.KeyFor(db.Schema, Checkpointer)] = Checkpointer };
        var daemonLock = LedgerMarten.DaemonLockId(db.Schema);
        foreach (var shard in (await ShardsAsync()).Append(OutboxShard).Distinct())
        {
            var parts = shard.Split(':');
            names[ProjectionLockIds.Compute(db.Schema, new ShardName(parts[0], parts[^1], 1), daemonLock)] = shard;
        }
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
                if (names.TryGetValue(reader.GetInt64(0), out var role) && hostNames.Contains(reader.GetString(1)))
                    holders[role] = reader.GetString(1);
        return holders;
    }

    /// <summary>The daemon's shards (not its high-water bookkeeping rows) that have passed <paramref name="position"/>.</summary>
    private async Task<IReadOnlySet<string>> ShardsAsync(long position = 0)
    {
        await using var command = db.AdminDataSource.CreateCommand(
            $"""SELECT name FROM "{db.Schema}".mt_event_progression WHERE name NOT LIKE 'HighWater%' AND last_seq_id >= $1""");
        command.Parameters.Add(new NpgsqlParameter { Value = position });
        var shards = new SortedSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) shards.Add(reader.GetString(0));
        return shards;
    }

    /// <summary>
    /// Wolverine's view of the cluster (its durability and leader agents, <c>DurabilityMode.Balanced</c>): the nodes it
    /// counts as alive (<c>wolverine_nodes</c>: registered at start, health-checked every <c>HostHeartbeat</c>, deleted
    /// by the leader once stale for <c>DeadHostTimeout</c>) and which node runs each of its agents
    /// (<c>wolverine_node_assignments</c>: the leader agent and the durability agent of the envelope storage, which
    /// recovers a dead node's inbox).
    /// </summary>
    public async Task<WolverineCluster> WolverineAsync()
    {
        await using var command = db.AdminDataSource.CreateCommand($"""
            SELECT n.node_number, a.id FROM "{db.Schema}".wolverine_nodes n
              LEFT JOIN "{db.Schema}".wolverine_node_assignments a ON a.node_id = n.id
            """);
        var nodes = new SortedSet<int>();
        var agents = new SortedDictionary<string, int>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            nodes.Add(reader.GetInt32(0));
            if (!reader.IsDBNull(1)) agents[reader.GetString(1)] = reader.GetInt32(0);
        }
        return new WolverineCluster(nodes, agents);
    }

    /// <summary>A count over the given tenants (<c>$1</c>, a text array; no parameter when none are given).</summary>
    public async Task<long> ScalarAsync(string sql, string[] tenants)
    {
        await using var command = db.AdminDataSource.CreateCommand(sql);
        if (tenants.Length > 0) command.Parameters.Add(new NpgsqlParameter { Value = tenants });
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

/// <summary>Wolverine's live nodes (their node numbers) and agent → the node running it.</summary>
public sealed record WolverineCluster(IReadOnlySet<int> Nodes, IReadOnlyDictionary<string, int> Agents)
{
    /// <summary>The leader agent and a durability agent are assigned.</summary>
    public bool AgentsAssigned => Agents.Keys.Any(a => a.StartsWith("wolverine://leader", StringComparison.Ordinal))
        && Agents.Keys.Any(a => a.StartsWith("wolverinedb://", StringComparison.Ordinal));

    public override string ToString() =>
        $"nodes [{string.Join(", ", Nodes)}], agents {{{string.Join(", ", Agents.Select(a => $"{a.Key}: {a.Value}"))}}}";
}
