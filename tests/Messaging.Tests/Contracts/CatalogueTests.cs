using Ledger.Application.Integration;
using Ledger.Application.Orders;
using Ledger.Application.Payments;
using Ledger.Messaging.Contracts;
using Ledger.Messaging.Tests.Infrastructure;

namespace Ledger.Messaging.Tests.Contracts;

public sealed class CatalogueTests
{
    [Fact]
    public void Every_stored_event_type_is_declared_published_or_internal() =>
        OrderEventCodec.EventTypes.Concat(Ledger.Application.Invoicing.Integration.InvoicingPublications.StoredTypes)
            .ShouldAllBe(t => IntegrationCatalogue.ClassifiedTypes.Contains(t));

    [Fact]
    public async Task Every_published_and_consumed_message_type_has_a_schema_file_and_an_embedded_schema()
    {
        var embedded = await ContractSchemas.EmbeddedAsync();
        foreach (var type in IntegrationCatalogue.PublishedTypes.Concat(Ledger.Messaging.Witnesses.WitnessedCheckpoint.PublishedTypes).Concat(PaymentMessages.ConsumedTypes))
        {
            File.Exists(Path.Combine(SchemaFiles.Directory, type + ".json")).ShouldBeTrue(type);
            embedded.Has(type).ShouldBeTrue(type);
        }
        var files = Ledger.Schemas.SchemaGuard.Contracts(SchemaFiles.Directory).Select(Path.GetFileNameWithoutExtension).Order().ToList();
        embedded.MessageTypes.Order().ShouldBe(files);
    }

    [Fact]
    public void Message_types_carry_their_version()
    {
        MessageTypes.Of("commerce.order.paid", 1).ShouldBe("commerce.order.paid.v1");
        MessageTypes.TryParse("commerce.order.paid.v12", out var name, out var version).ShouldBeTrue();
        (name, version).ShouldBe(("commerce.order.paid", 12));
        MessageTypes.TryParse("commerce.order.paid", out _, out _).ShouldBeFalse();
        MessageTypes.TryParse("x.v0", out _, out _).ShouldBeFalse();
    }

    [Fact]
    public void A_traceparent_carries_the_events_trace_id_or_one_derived_from_the_event()
    {
        var eventId = Guid.Parse("0192f4c2-7b1f-7d2e-8f00-1a2b3c4d5e6f");
        TraceParent.TraceIdFor("0af7651916cd43dd8448eb211c80319c", eventId).ShouldBe("0af7651916cd43dd8448eb211c80319c");
        TraceParent.TraceIdFor(null, eventId).ShouldBe("0192f4c27b1f7d2e8f001a2b3c4d5e6f");
        TraceParent.TraceIdFor("not-a-trace-id", eventId).ShouldBe("0192f4c27b1f7d2e8f001a2b3c4d5e6f");
        TraceParent.TraceIdFor(new string('0', 32), eventId).ShouldBe("0192f4c27b1f7d2e8f001a2b3c4d5e6f");

        var header = TraceParent.Create("0af7651916cd43dd8448eb211c80319c", eventId);
        header.ShouldMatch("^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$");
        header.ShouldBe(TraceParent.Create("0af7651916cd43dd8448eb211c80319c", eventId), "a re-published message carries the same header");
        TraceParent.TryReadTraceId(header, out var traceId).ShouldBeTrue();
        traceId.ShouldBe("0af7651916cd43dd8448eb211c80319c");
        TraceParent.TryReadTraceId("01-abc", out _).ShouldBeFalse();
    }
}
