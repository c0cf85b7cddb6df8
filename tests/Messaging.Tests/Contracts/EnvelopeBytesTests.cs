using System.Text;
using System.Text.Json;
using Ledger.Messaging.Contracts;

namespace Ledger.Messaging.Tests.Contracts;

/// <summary>
/// The exact bytes of an envelope and of a traceparent, as published before the relay wrote envelopes into reused
/// buffers: a consumer deduplicating or verifying by content, and a re-published copy, see the same bytes.
/// </summary>
public sealed class EnvelopeBytesTests
{
    private static IntegrationEnvelope Sample(string? causation, string? actor) => new(
        Guid.Parse("0192f4c2-7b1f-7d2e-8f00-1a2b3c4d5e6f"), "commerce.order.created", 1,
        new DateTimeOffset(2026, 3, 1, 9, 30, 15, 123, TimeSpan.FromHours(2)).AddTicks(4567), "tenant-001",
        "corr-\"1\"", causation, "0af7651916cd43dd8448eb211c80319c", "ledger", actor,
        JsonDocument.Parse("""{"order_id":"0192f4c2-7b1f-7d2e-8f00-1a2b3c4d5e6f","lines":[{"description":"Widget, blue <40 mm> & café","quantity":2}],"total":"25.00"}""").RootElement.Clone());

    [Fact]
    public void An_envelope_is_written_as_the_same_bytes_every_time()
    {
        var full = Sample("cause-1", "clerk-ñ");
        var sparse = Sample(null, null);
        for (var i = 0; i < 3; i++)
        {
            Encoding.UTF8.GetString(full.ToUtf8Json()).ShouldBe("""
                {"event_id":"0192f4c2-7b1f-7d2e-8f00-1a2b3c4d5e6f","event_name":"commerce.order.created","event_version":1,"occurred_at":"2026-03-01T07:30:15.123456Z","tenant_id":"tenant-001","correlation_id":"corr-\u00221\u0022","causation_id":"cause-1","trace_id":"0af7651916cd43dd8448eb211c80319c","producer":"ledger","actor":"clerk-\u00F1","payload":{"order_id":"0192f4c2-7b1f-7d2e-8f00-1a2b3c4d5e6f","lines":[{"description":"Widget, blue \u003C40 mm\u003E \u0026 caf\u00E9","quantity":2}],"total":"25.00"}}
                """);
            Encoding.UTF8.GetString(sparse.ToUtf8Json()).ShouldBe("""
                {"event_id":"0192f4c2-7b1f-7d2e-8f00-1a2b3c4d5e6f","event_name":"commerce.order.created","event_version":1,"occurred_at":"2026-03-01T07:30:15.123456Z","tenant_id":"tenant-001","correlation_id":"corr-\u00221\u0022","causation_id":null,"trace_id":"0af7651916cd43dd8448eb211c80319c","producer":"ledger","actor":null,"payload":{"order_id":"0192f4c2-7b1f-7d2e-8f00-1a2b3c4d5e6f","lines":[{"description":"Widget, blue \u003C40 mm\u003E \u0026 caf\u00E9","quantity":2}],"total":"25.00"}}
                """);
        }
    }

    [Fact]
    public void A_traceparent_is_the_same_for_the_same_event()
    {
        TraceParent.Create("0af7651916cd43dd8448eb211c80319c", Guid.Parse("0192f4c2-7b1f-7d2e-8f00-1a2b3c4d5e6f"))
            .ShouldBe("00-0af7651916cd43dd8448eb211c80319c-500f01e5bbcdef79-01");
    }
}
