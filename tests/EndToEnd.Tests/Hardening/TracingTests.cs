using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.EventStore.Telemetry;
using Ledger.Host.Auth;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.Hardening;

/// <summary>Ledger's spans join the request's trace, and traces and metrics leave over OTLP when an endpoint is set.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class TracingTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    [Fact]
    public async Task The_append_span_is_a_child_of_the_request_and_the_event_carries_the_trace_id()
    {
        var appends = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == LedgerTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { if (activity.OperationName == LedgerTelemetry.AppendSpan) appends.Add(activity); },
        };
        ActivitySource.AddActivityListener(listener);
        var tenant = TestDatabase.NewTenant();
        var orders = new OrderApi(app.Client(), app.Tokens.For(tenant, LedgerRoles.Clerk), tenant, app.Db.Store);

        var orderId = await orders.CreateAsync();

        var stored = (await orders.EventsAsync(orderId)).Single();
        var traceId = stored.Metadata.TraceId;
        traceId.ShouldNotBeNullOrEmpty();
        // The order's events and the request's audit entry may be appended apart; every append is in the request's trace.
        var spans = appends.Where(a => (string?)a.GetTagItem(LedgerTelemetry.Tags.Tenant) == tenant).ToList();
        spans.ShouldNotBeEmpty();
        spans.ShouldAllBe(a => a.TraceId.ToHexString() == traceId && a.ParentSpanId != default);
    }

    [Fact]
    public async Task One_trace_id_links_the_request_the_outbox_publish_and_the_consumer_handling()
    {
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == LedgerTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        var prefix = "trace-" + Guid.NewGuid().ToString("N")[..10];
        await using var host = await app.With(new()
        {
            ["ConnectionStrings:RabbitMq"] = MultiHost.LedgerCluster.BrokerUri,
            ["Ledger:Messaging:Exchange"] = prefix + ".events",
            ["Ledger:Messaging:QueuePrefix"] = prefix + ".",
        });
        var tenant = TestDatabase.NewTenant();
        await new Ledger.Application.Invoicing.Settings.IssuerProfiles(app.Db.AppDataSource).SaveAsync(tenant,
            new("Demo SL", "ES", "89890001K", "EUR", "Europe/Madrid", "FV", "RV", "es.vat.general", VeriFactu: false));
        var orders = new OrderApi(host.Client(), app.Tokens.For(tenant, LedgerRoles.Clerk), tenant, app.Db.Store);
        var id = await orders.CreateAsync();
        (await orders.PostAsync($"/api/orders/{id}/payment-requests")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await orders.PostAsync($"/api/orders/{id}/payments", """{"amount":"25.00","payment_reference":"PAY-T"}""")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var paid = (await orders.EventsAsync(id)).Last();
        var trace = paid.Metadata.TraceId!;

        bool Has(string span, string type) => spans.Any(a => a.OperationName == span && a.TraceId.ToHexString() == trace
            && (string?)a.GetTagItem(LedgerTelemetry.Tags.MessageType) == type);
        await Eventually.Until(() => Task.FromResult(Has(LedgerTelemetry.OutboxPublishSpan, "commerce.order.paid.v1")
            && Has(LedgerTelemetry.ConsumerHandleSpan, "commerce.order.paid.v1")), done => done, TimeSpan.FromSeconds(30),
            "the outbox's publish and the consumer's handling in the payment's trace");
        // The invoice the consumer issued is appended in the same trace.
        spans.ShouldContain(a => a.OperationName == LedgerTelemetry.AppendSpan && a.TraceId.ToHexString() == trace
            && (string?)a.GetTagItem(LedgerTelemetry.Tags.Tenant) == tenant && a.Parent != null && a.Parent.OperationName == LedgerTelemetry.ConsumerHandleSpan);
    }

    [Fact]
    public async Task Traces_and_metrics_are_exported_over_OTLP_when_an_endpoint_is_configured()
    {
        using var collector = new FakeOtlpCollector();
        var host = await app.With(new()
        {
            ["Ledger:Telemetry:OtlpEndpoint"] = collector.Endpoint,
            ["Ledger:Telemetry:OtlpProtocol"] = "http/protobuf",
        });
        var tenant = TestDatabase.NewTenant();
        await new OrderApi(host.Client(), app.Tokens.For(tenant, LedgerRoles.Clerk), tenant, app.Db.Store).CreateAsync();

        await host.DisposeAsync(); // stopping the Host flushes both providers

        var traces = collector.Received("/v1/traces");
        traces.ShouldContain(LedgerTelemetry.AppendSpan);
        traces.ShouldContain("POST /api/orders");
        traces.ShouldContain("service.name");
        collector.Received("/v1/metrics").ShouldContain("http.server.request.duration");
        collector.Received("/v1/metrics").ShouldContain("ledger.eventstore.appends");
    }

    [Fact]
    public async Task Nothing_is_exported_without_an_endpoint()
    {
        using var collector = new FakeOtlpCollector();
        var host = await app.With([]);
        (await host.Client().GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await host.DisposeAsync();
        collector.Received("/v1/traces").ShouldBeEmpty();
    }

    /// <summary>
    /// Accepts OTLP/HTTP protobuf posts and keeps their bodies. Protobuf writes strings as plain UTF-8, so span names,
    /// metric names and attribute keys can be found in the bytes without decoding the messages.
    /// </summary>
    private sealed class FakeOtlpCollector : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentDictionary<string, StringBuilder> _bodies = new();
        private readonly Task _loop;

        public FakeOtlpCollector()
        {
            var port = FreePort();
            Endpoint = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(Endpoint + "/");
            _listener.Start();
            _loop = Task.Run(Serve);
        }

        public string Endpoint { get; }

        public string Received(string path)
        {
            var text = _bodies.TryGetValue(path, out var body) ? body : null;
            if (text is null) return "";
            lock (text) return text.ToString();
        }

        private async Task Serve()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
                using var buffer = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(buffer);
                var body = _bodies.GetOrAdd(context.Request.Url!.AbsolutePath, _ => new StringBuilder());
                lock (body) body.Append(Encoding.UTF8.GetString(buffer.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        }

        private static int FreePort()
        {
            using var socket = new TcpListener(IPAddress.Loopback, 0);
            socket.Start();
            return ((IPEndPoint)socket.LocalEndpoint).Port;
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
