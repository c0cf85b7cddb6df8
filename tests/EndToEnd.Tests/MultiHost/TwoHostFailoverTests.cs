using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Ledger.Application.Invoicing.Settings;
using Ledger.EventStore.Chain;
using Ledger.Host.Auth;
using Ledger.TestSupport;
using Xunit.Abstractions;

namespace Ledger.EndToEnd.Tests.MultiHost;

/// <summary>
/// Two real Hosts on one database and broker, load through both, one killed with SIGKILL mid-load. Proves by counting
/// that no order, payment, published event, invoice or stamp was lost or written twice, that every tenant's chain still
/// verifies and is signed up to its head, and that every background role (the outbox's publishing shard, projections, checkpoints, stamping)
/// carried on in the survivor. Clients retry a request that died with its host on the other one, with the same
/// Idempotency-Key, as a client behind a load balancer would.
/// <para>
/// The roles and who moves them: Marten's HotCold daemon (an advisory lock per shard: the chain sealer, each read model's
/// projection and the outbox's publishing shard), Ledger's checkpoint lease, and Wolverine's agents (its leader, and the durability agent
/// that recovers a dead node's inbox) on Wolverine's node registry. The inbound listeners are competing consumers on
/// both hosts, so only the dead host's unfinished inbox rows have to move. Each is timed from the kill.
/// </para>
/// </summary>
[Trait("Category", "MultiHost")]
public sealed class TwoHostFailoverTests(ITestOutputHelper output)
{
    /// <summary>How soon after the kill the survivor must hold every role: "within seconds", with room for a loaded machine.</summary>
    private static readonly TimeSpan RolesMoveWithin = TimeSpan.FromSeconds(20);

    private const int Orders = 45;
    private const int KillAfter = 15;
    private const int Workers = 6;

    private static readonly Dictionary<string, string> Fast = new()
    {
        ["Ledger:Checkpoints:EveryEntries"] = "20",
        ["Ledger:Checkpoints:EverySeconds"] = "1",
        ["Ledger:Checkpoints:PollSeconds"] = "0.5",
        ["Ledger:Messaging:Outbox:HostHeartbeat"] = "00:00:01",
        ["Ledger:Messaging:Outbox:DeadHostTimeout"] = "00:00:05",
        ["Ledger:Messaging:Consumers:FirstRetryDelay"] = "00:00:00.200",
        ["Ledger:Shutdown:TimeoutSeconds"] = "10",
    };

    [Fact]
    public async Task Killing_one_of_two_hosts_loses_and_duplicates_nothing_and_its_roles_move_to_the_survivor()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(110);
        TimeSpan Left() => deadline - DateTime.UtcNow;
        await using var cluster = await LedgerCluster.CreateAsync();
        var a = cluster.Start("a", Fast);
        var b = cluster.Start("b", Fast);
        try
        {
            await Scenario(cluster, a, b, Left, output);
        }
        catch (Exception e) when (e is TimeoutException or Shouldly.ShouldAssertException)
        {
            throw new TimeoutException($"{e.Message}\n--- host a:\n{a.Tail(40)}\n--- host b:\n{b.Tail(40)}", e);
        }
    }

    private static async Task Scenario(LedgerCluster cluster, HostProcess a, HostProcess b, Func<TimeSpan> left, ITestOutputHelper output)
    {
        await Task.WhenAll(a.WaitReadyAsync(TimeSpan.FromSeconds(60)), b.WaitReadyAsync(TimeSpan.FromSeconds(60)));
        var probe = new ClusterProbe(cluster.Db);
        var tenants = Enumerable.Range(0, 3).Select(_ => TestDatabase.NewTenant("fo")).ToArray();
        var issuers = new IssuerProfiles(cluster.Db.AppDataSource);
        foreach (var tenant in tenants)
            await issuers.SaveAsync(tenant, new IssuerProfileInput("Demo SL", "ES", "89890001K", "EUR", "Europe/Madrid", "FV", "RV", "es.vat.general", VeriFactu: false));
        await using var tap = await BrokerTap.CreateAsync(LedgerCluster.BrokerUri, cluster.Prefix + ".events");

        // One order of a tenant of its own, so every shard of the daemon runs (and shows in mt_event_progression) before
        // the roles are counted.
        var warmUp = await cluster.Db.EventStore.AppendAsync(TestDatabase.NewTenant("warm"), [WarmUpOrder()]);
        var roles = (await Eventually.Until(() => probe.RolesOnceShardsPassAsync(warmUp.LastPosition.Seq), r => r is not null, left(),
            "every shard of the daemon (sealer, read models, outbox) past a first event"))!;
        var holders = await Eventually.Until(() => probe.RoleHoldersAsync([a, b]), h => h.Count == roles.Count, left(), "every role to be taken");
        var wolverine = await Eventually.Until(probe.WolverineAsync, w => w.Nodes.Count == 2 && w.AgentsAssigned, left(),
            "both hosts registered as Wolverine nodes, its agents assigned");
        output.WriteLine($"before the kill: {holders}; wolverine {wolverine}");
        // The victim is the host running the outbox's publishing shard, so the kill takes the publisher down mid-stream
        // (the survivor publishes again from the shard's last committed position).
        var (victim, survivor) = holders[ClusterProbe.OutboxShard] == "ledger-a" ? (a, b) : (b, a);

        var driver = new OrderDriver([a, b], victim, tenants.ToDictionary(t => t, t => cluster.Tokens.For(t, LedgerRoles.Clerk)));
        var load = driver.RunAsync(Orders, Workers);
        await Eventually.Until(() => Task.FromResult(driver.Completed), done => done >= KillAfter, left(), "the first orders");
        victim.Crash();
        var killed = System.Diagnostics.Stopwatch.StartNew();
        var survivorName = "ledger-" + survivor.Name;
        // Timed from the kill, while the load goes on through the survivor.
        var rolesMoved = Task.Run(async () =>
        {
            var h = await Eventually.Until(() => probe.RoleHoldersAsync([a, b]),
                h => h.Count == roles.Count && h.Values.All(v => v == survivorName), left(), "the survivor to hold every role");
            return (Holders: h, After: killed.Elapsed);
        });
        var nodeEjected = Task.Run(async () =>
        {
            var w = await Eventually.Until(probe.WolverineAsync, w => w.Nodes.Count == 1 && w.AgentsAssigned && w.Agents.Values.All(w.Nodes.Contains),
                left(), "Wolverine to eject the dead node and run its agents on the survivor");
            return (Cluster: w, After: killed.Elapsed);
        });
        var placed = await load;

        (await victim.WaitExitAsync(TimeSpan.FromSeconds(10))).ShouldBeTrue();
        placed.Count.ShouldBe(Orders, "every order was accepted, through the survivor after the kill");
        driver.RetriedOnSurvivor.ShouldBeGreaterThan(0, "some requests were sent to the dead host and retried");
        var tenantList = tenants.ToArray();

        // Every role moved to the survivor, within seconds of the kill.
        var moved = await rolesMoved;
        var ejected = await nodeEjected;
        output.WriteLine($"after the kill: {moved.Holders} in {moved.After.TotalSeconds:F1} s; wolverine {ejected.Cluster} in {ejected.After.TotalSeconds:F1} s");
        moved.Holders.Keys.ShouldBe(roles, ignoreOrder: true);
        moved.After.ShouldBeLessThan(RolesMoveWithin, "every shard of Marten's daemon (sealer, projections, outbox) and the checkpointer on the survivor");
        ejected.After.ShouldBeLessThan(RolesMoveWithin, "Wolverine's leader and durability agents on the survivor, the dead node ejected");
        var survivorNode = ejected.Cluster.Nodes.Single();
        wolverine.Nodes.ShouldContain(survivorNode, "the remaining node is one of the two that started, not a newcomer");

        // Nothing lost: every paid order published, invoiced, stamped and projected; the chains signed to their heads.
        await Eventually.Until(() => probe.ScalarAsync(
                "SELECT count(*) FROM ledger_records WHERE tenant_id = ANY($1) AND event_type = 'fiscal.invoice.stamped'", tenantList),
            n => n >= Orders, left(), "every invoice stamped");
        var published = await Eventually.Until(tap.DrainAsync,
            seen => seen.Where(m => m.RoutingKey == "commerce.order.paid.v1").Select(m => m.MessageId).Distinct().Count() >= Orders,
            left(), "every payment published");
        await Eventually.Until(() => probe.ScalarAsync(
                $"SELECT count(*) FROM \"{cluster.Db.Schema}\".orders_rm WHERE tenant_id = ANY($1) AND status = 'paid'", tenantList),
            n => n == Orders, left(), "the orders read model to show every order paid");
        await Eventually.Until(() => probe.ScalarAsync("""
                SELECT count(*) FROM ledger_chain_heads h
                 WHERE h.tenant_id = ANY($1)
                   AND h.chain_seq = (SELECT coalesce(max(c.chain_seq), 0) FROM checkpoints c WHERE c.tenant_id = h.tenant_id)
                """, tenantList),
            n => n == tenants.Length, left(), "every chain signed up to its head");

        // Nothing duplicated: exactly the orders placed, each with its three events, one invoice and one stamp each.
        (await probe.ScalarAsync("SELECT count(DISTINCT stream_id) FROM ledger_records WHERE tenant_id = ANY($1) AND event_type LIKE 'commerce.order.%'", tenantList))
            .ShouldBe(Orders);
        (await probe.ScalarAsync("""
                SELECT count(*) FROM (SELECT stream_id FROM ledger_records WHERE tenant_id = ANY($1) AND event_type LIKE 'commerce.order.%'
                                       GROUP BY stream_id HAVING count(*) <> 3) odd
                """, tenantList)).ShouldBe(0, "every order has created, payment requested and paid, once each");
        (await probe.ScalarAsync("SELECT count(*) FROM ledger_records WHERE tenant_id = ANY($1) AND event_type = 'fiscal.invoice.issued'", tenantList))
            .ShouldBe(Orders, "one invoice per paid order");
        (await probe.ScalarAsync("SELECT count(DISTINCT stream_id) FROM ledger_records WHERE tenant_id = ANY($1) AND event_type = 'fiscal.invoice.stamped'", tenantList))
            .ShouldBe(Orders, "every invoice stamped");
        (await probe.ScalarAsync("SELECT count(*) FROM ledger_records WHERE tenant_id = ANY($1) AND event_type = 'fiscal.invoice.stamped'", tenantList))
            .ShouldBe(Orders, "one stamp per invoice");
        // An invoice whose stamping died with its host may miss its deadline and be sealed provisionally (the
        // contingency path), then reconciled with the authority's stamp above; never sealed twice.
        (await probe.ScalarAsync("""
                SELECT count(*) FROM (SELECT stream_id FROM ledger_records WHERE tenant_id = ANY($1) AND event_type = 'fiscal.invoice.contingency_stamped'
                                       GROUP BY stream_id HAVING count(*) > 1) twice
                """, tenantList)).ShouldBe(0);
        published.Where(m => m.RoutingKey == "commerce.order.paid.v1").Select(m => m.MessageId).Distinct().Count().ShouldBe(Orders);
        // The dead host's inbox was taken over: no message is left received-but-unhandled (every invoice exists above).
        (await probe.ScalarAsync($"SELECT count(*) FROM \"{cluster.Db.Schema}\".wolverine_incoming_envelopes WHERE status <> 'Handled'", []))
            .ShouldBe(0, "no inbound message left in a dead node's inbox");
        foreach (var tenant in tenants)
            (await new ChainVerifier(cluster.Db.AppDataSource).VerifyAsync(tenant)).Failure.ShouldBeNull(tenant);
        survivor.HasExited.ShouldBeFalse(survivor.Tail());
        left().ShouldBeGreaterThan(TimeSpan.Zero);
    }

    private static Ledger.EventStore.StreamAppend WarmUpOrder()
    {
        var id = Guid.CreateVersion7();
        var now = DateTimeOffset.UtcNow;
        var encoded = Ledger.Application.Orders.OrderEventCodec.Encode(new Ledger.Domain.Orders.OrderCreated(id, "cust-0", "EUR",
            [new Ledger.Domain.Orders.OrderLine("SKU-1", "Widget", 1, 10.00m)], 10.00m, now, null));
        return new Ledger.EventStore.StreamAppend(Ledger.Application.Orders.OrderStreams.For(id), Ledger.EventStore.ExpectedVersion.NoStream,
            [new Ledger.EventStore.EventToAppend(Guid.CreateVersion7(), encoded.EventType, encoded.TypeVersion, now, encoded.Data,
                new Ledger.EventStore.EventMetadata("failover-test", null, "test", null, "test"))]);
    }

    /// <summary>
    /// Places orders (create, request payment, pay) from several workers, alternating hosts. A request that fails
    /// because its host is gone is sent again, with the same Idempotency-Key, to the other host.
    /// </summary>
    private sealed class OrderDriver(HostProcess[] hosts, HostProcess victim, IReadOnlyDictionary<string, string> tokens)
    {
        private readonly ConcurrentBag<Guid> _placed = [];
        private int _next = -1;
        private int _completed;
        private int _retried;

        public int Completed => Volatile.Read(ref _completed);

        public int RetriedOnSurvivor => Volatile.Read(ref _retried);

        public async Task<IReadOnlyCollection<Guid>> RunAsync(int orders, int workers)
        {
            await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
            {
                for (var i = Interlocked.Increment(ref _next); i < orders; i = Interlocked.Increment(ref _next))
                {
                    _placed.Add(await PlaceAsync(i));
                    Interlocked.Increment(ref _completed);
                }
            })));
            return [.. _placed];
        }

        private async Task<Guid> PlaceAsync(int i)
        {
            var token = tokens.Values.ElementAt(i % tokens.Count);
            var id = Guid.NewGuid();
            var host = hosts[i % hosts.Length];
            await SendAsync(host, token, "/api/orders", $$"""
                {"order_id":"{{id}}","customer_id":"cust-{{i}}","currency":"EUR",
                 "lines":[{"sku":"SKU-1","description":"Widget","quantity":2,"unit_price":"12.50"}],"total":"25.00"}
                """, $"create-{id}", HttpStatusCode.Created, id, "created");
            await SendAsync(host, token, $"/api/orders/{id}/payment-requests", null, $"request-{id}", HttpStatusCode.OK, id, "payment_requested");
            await SendAsync(host, token, $"/api/orders/{id}/payments", $$"""{"amount":"25.00","payment_reference":"PAY-{{i}}"}""", $"pay-{id}",
                HttpStatusCode.OK, id, "paid");
            return id;
        }

        private async Task SendAsync(HostProcess host, string token, string path, string? body, string key, HttpStatusCode expected, Guid order, string status)
        {
            for (var attempt = 1; ; attempt++)
            {
                if (host == victim && victim.HasExited) host = hosts.First(h => h != victim);
                using var request = new HttpRequestMessage(HttpMethod.Post, path);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                request.Headers.Add("Idempotency-Key", key);
                if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                try
                {
                    using var response = await host.Client.SendAsync(request);
                    var text = await response.Content.ReadAsStringAsync();
                    if (attempt > 1 && response.StatusCode == HttpStatusCode.Conflict && text.Contains("\"idempotency.response_unavailable\"", StringComparison.Ordinal))
                    {
                        // The dead host committed the command but died before keeping its answer: the resource tells.
                        await StatusShouldBeAsync(host, token, order, status);
                        return;
                    }
                    response.StatusCode.ShouldBe(expected, $"{path} on {host.Name}, attempt {attempt}: {text}");
                    return;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && host == victim && attempt < 5)
                {
                    // The host died under the request: whether or not it committed, the same key on the survivor
                    // answers as the first attempt would have, and writes nothing twice.
                    await victim.WaitExitAsync(TimeSpan.FromSeconds(10));
                    Interlocked.Increment(ref _retried);
                    host = hosts.First(h => h != victim);
                }
            }
        }

        private static async Task StatusShouldBeAsync(HostProcess host, string token, Guid order, string status)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/orders/{order}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await host.Client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
            System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("status").GetString().ShouldBe(status, text);
        }
    }
}
