using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ledger.Bench.Infrastructure;
using Ledger.Bench.Report;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Ledger.Bench.Scenarios;

/// <summary>
/// Scenario 11: payment confirmations consumed by the Host (its own process): its Wolverine listener on
/// <c>….payments</c> with the durable inbox, each message applied as an order command with its audit entry and the
/// inbox mark in one transaction. Against RabbitMQ.Client consuming and acking the very same messages (bodies and
/// properties built beforehand) from a queue of the bench's own, same prefetch, no database. Each round publishes its
/// messages with confirms as fast as it can and times from the first publish to the last message handled (Ledger:
/// its inbox row marked handled) or acked (baseline): the same publishing in both.
/// </summary>
public sealed class InboundScenario(BenchSettings settings, BenchDatabase database)
{
    private const string Tenant = "bench-inbound";
    private const string Confirmed = "payments.payment.confirmed.v1";
    private const ushort Prefetch = 16; // the consumers' default (Ledger:Messaging:Consumers:Prefetch)

    public async Task<ScenarioOutcome> RunAsync()
    {
        var n = settings.Quick ? 1_000 : 5_000;
        Log.Line("11. Inbound: building the Host (Release)");
        if (await HostProcess.BuildAsync() is { } buildError)
            return NotRun($"the Host (src/Host) did not build: {buildError}");
        var schema = database.ReserveSchema("s11");
        await using var host = await HostProcess.StartAsync(schema, [Tenant], new Dictionary<string, string>
        {
            ["Ledger__Messaging__Consumers__Enabled"] = "true",
            // No order.paid published, so the invoicing consumer stays idle: the payments consumer alone is measured.
            ["Ledger__Messaging__Relay__Enabled"] = "false",
        });
        var queue = host.Exchange + ".payments";
        var baselineQueue = $"bench.inbound.raw.{Guid.NewGuid():N}"[..32];
        Log.Line($"11. Host ready at {host.BaseAddress} (schema {schema}), consuming {queue}");
        await using var inbox = database.AdminOn(schema);
        using var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.Tokens[0]);

        await using var connection = await Broker.ConnectAsync("ledger-bench-inbound");
        await using (var setup = await connection.CreateChannelAsync())
        {
            await setup.QueueDeclareAsync(baselineQueue, durable: true, exclusive: false, autoDelete: false);
            await setup.QueueBindAsync(baselineQueue, host.Exchange, "bench.raw." + Confirmed);
        }
        try
        {
            var ledgerSide = new Side("Wolverine listener, durable inbox", async warmUp =>
            {
                var messages = await PaymentsForNewOrdersAsync(http, n);
                var ids = messages.Select(m => m.Id).ToArray();
                var started = Stopwatch.GetTimestamp();
                await PublishAsync(connection, host.Exchange, Confirmed, messages);
                while (await HandledAsync(inbox, ids) < ids.Length)
                {
                    if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromMinutes(10)) throw new TimeoutException("the Host stalled; its log: " + HostProcess.Tail(host.LogFile));
                    await Task.Delay(20);
                }
                return RoundResult.Throughput(n, Stopwatch.GetElapsedTime(started));
            });
            var baselineSide = new Side("RabbitMQ.Client consume + ack", async warmUp =>
            {
                var messages = await PaymentsForNewOrdersAsync(null, n);
                await using var channel = await connection.CreateChannelAsync();
                await channel.BasicQosAsync(0, Prefetch, false);
                var acked = 0;
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var consumer = new AsyncEventingBasicConsumer(channel);
                consumer.ReceivedAsync += async (_, delivery) =>
                {
                    await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
                    if (Interlocked.Increment(ref acked) == n) done.TrySetResult();
                };
                var tag = await channel.BasicConsumeAsync(baselineQueue, autoAck: false, consumer);
                var started = Stopwatch.GetTimestamp();
                await PublishAsync(connection, host.Exchange, "bench.raw." + Confirmed, messages);
                await done.Task.WaitAsync(TimeSpan.FromMinutes(10));
                var elapsed = Stopwatch.GetElapsedTime(started);
                await channel.BasicCancelAsync(tag);
                return RoundResult.Throughput(n, elapsed);
            });
            var outcomes = await Rounds.Rotate(settings.WholeStoreRounds, "messages/s", [baselineSide, ledgerSide], label: "11");
            return new ScenarioOutcome([new ResultRow
            {
                Scenario = "11. Inbound",
                Measure = $"payment confirmations/s handled, {n:N0} per round, published with confirms from the first publish to the last handled",
                Figures = outcomes[1].Against(outcomes[0]),
                Goal = "≥ 0.5×",
                GoalRatio = 0.5,
                Notes = "Ledger: the Host's Wolverine listener (durable inbox, prefetch 16), each message an order command (read, decide, " +
                        "append the payment and its audit entry, mark the inbox) in one transaction; baseline: RabbitMQ.Client consuming " +
                        "and acking the same messages from a queue of its own (prefetch 16), no database. docs/performance.md, \"Inbound\"",
            }], []);
        }
        finally
        {
            await using var cleanup = await connection.CreateChannelAsync();
            foreach (var name in new[] { baselineQueue, host.Exchange + ".payments", host.Exchange + ".invoicing" })
                await cleanup.QueueDeleteAsync(name, false, false);
        }
    }

    private sealed record Payment(Guid Id, byte[] Body);

    /// <summary>
    /// Orders awaiting payment created through the Host's API (untimed) and their confirmations; without a Host,
    /// confirmations of made-up orders (the baseline only acks them).
    /// </summary>
    private static async Task<IReadOnlyList<Payment>> PaymentsForNewOrdersAsync(HttpClient? http, int n)
    {
        var orders = new Guid[n];
        if (http is null)
            for (var i = 0; i < n; i++) orders[i] = Guid.CreateVersion7();
        else
            await Parallel.ForAsync(0, n, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            {
                using var created = await http.PostAsync(new Uri("api/orders", UriKind.Relative), Json("""
                    {"customer_id":"bench","currency":"EUR","lines":[{"sku":"SKU-1","description":"Widget","quantity":2,"unit_price":"12.50"}],"total":"25.00"}
                    """), ct);
                if (created.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"create: {created.StatusCode}");
                var order = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("order_id").GetGuid();
                using var requested = await http.PostAsync(new Uri($"api/orders/{order}/payment-requests", UriKind.Relative), null, ct);
                if (requested.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"payment request: {requested.StatusCode}");
                orders[i] = order;
            });
        return [.. orders.Select(order =>
        {
            var id = Guid.CreateVersion7();
            return new Payment(id, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
            {
                event_id = id, event_name = "payments.payment.confirmed", event_version = 1, occurred_at = DateTimeOffset.UtcNow, tenant_id = Tenant,
                correlation_id = "bench-" + id.ToString("N")[..8], causation_id = (string?)null, trace_id = (string?)null,
                producer = "payments-gateway", actor = (string?)null,
                payload = new { tenant_id = Tenant, order_id = order, amount = "25.00", payment_reference = "psp-" + id.ToString("N")[..10] },
            })));
        })];
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task PublishAsync(IConnection connection, string exchange, string routingKey, IReadOnlyList<Payment> messages)
    {
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true, outstandingPublisherConfirmationsRateLimiter: null));
        const int batch = 500;
        for (var i = 0; i < messages.Count; i += batch)
            await Task.WhenAll(messages.Skip(i).Take(batch).Select(m => channel.BasicPublishAsync(exchange, routingKey, mandatory: false,
                new BasicProperties { MessageId = m.Id.ToString("D"), Type = Confirmed, Persistent = true, ContentType = "application/json" }, m.Body).AsTask()));
    }

    private static async Task<int> HandledAsync(NpgsqlDataSource inbox, Guid[] ids)
    {
        await using var command = inbox.CreateCommand("SELECT count(*) FROM wolverine_incoming_envelopes WHERE id = ANY($1) AND status = 'Handled'");
        command.Parameters.Add(new() { Value = ids });
        return (int)(long)(await command.ExecuteScalarAsync())!;
    }

    private static ScenarioOutcome NotRun(string why) => new([new ResultRow
    {
        Scenario = "11. Inbound", Measure = "—", Goal = "≥ 0.5×", Verdict = "not run", Notes = why,
    }], []);
}
