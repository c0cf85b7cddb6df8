using System.Text.Json;
using Ledger.Application.Orders;
using Ledger.Domain.Orders;
using Ledger.EventStore.Privacy;

namespace Ledger.Application.Tests.Orders;

public class OrderEventCodecTests
{
    private static readonly Guid OrderId = Guid.Parse("0195f3a0-0000-7000-8000-0000000000aa");
    private static readonly DateTimeOffset At = new(2025, 3, 1, 9, 30, 0, TimeSpan.FromHours(1));
    private static readonly OrderLine[] Lines = [new("SKU-1", "Ledger paper", 2, 10.25m), new("SKU-2", "Pen", 1, 4.50m)];

    public static TheoryData<string, OrderEvent> Events() => new()
    {
        { "commerce.order.created", new OrderCreated(OrderId, "cust-42", "EUR", Lines, 25.00m, At, new CustomerPersonalData("Ada", "ada@example.org")) },
        { "commerce.order.created", new OrderCreated(OrderId, "cust-42", "EUR", Lines, 25.00m, At, null) },
        { "commerce.order.created", new OrderCreated(OrderId, "cust-42", "EUR", Lines, 25.00m, At, new CustomerPersonalData(null, "ada@example.org")) },
        { "commerce.order.payment_requested", new OrderPaymentRequested(OrderId, 25.00m, At) },
        { "commerce.order.paid", new OrderPaid(OrderId, 25.00m, "psp-1", At) },
        { "commerce.order.payment_failed", new OrderPaymentFailed(OrderId, "card declined", At) },
        { "commerce.order.fulfilled", new OrderFulfilled(OrderId, At) },
        { "commerce.order.cancelled", new OrderCancelled(OrderId, "duplicate", At) },
    };

    private static readonly SubjectKey CustomerKey = SubjectKey.Create("acme", "cust-42", 1);

    [Theory]
    [MemberData(nameof(Events))]
    public void Every_event_round_trips_under_its_name_and_version(string eventType, OrderEvent e)
    {
        var encoded = OrderEventCodec.Encode(e, CustomerKey);
        encoded.EventType.ShouldBe(eventType);
        encoded.TypeVersion.ShouldBe(e is OrderCreated { Personal: not null } ? 2 : 1);
        encoded.Data.ValueKind.ShouldBe(JsonValueKind.Object);
        encoded.Data.GetProperty("order_id").GetString().ShouldBe(OrderId.ToString("D"));

        var decoded = OrderEventCodec.Decode(encoded.EventType, encoded.TypeVersion, encoded.Data);
        if (decoded is OrderCreated created && e is OrderCreated original)
        {
            created.Lines.ShouldBe(original.Lines);
            created.Personal.ShouldBeNull(); // decisions never see personal data: it stays sealed in the event
            decoded = created with { Lines = original.Lines, Personal = original.Personal };
        }

        decoded.ShouldBe(e);
    }

    [Fact]
    public void Created_is_stored_in_snake_case_with_money_as_strings_and_personal_data_sealed_apart()
    {
        var e = new OrderCreated(OrderId, "cust-42", "EUR", Lines, 25.00m, At, new CustomerPersonalData("Ada", "ada@example.org"));
        var data = OrderEventCodec.Encode(e, CustomerKey).Data;
        var personal = data.GetProperty("personal");
        var facts = JsonSerializer.SerializeToNode(data)!.AsObject();
        facts.Remove("personal");
        const string expected =
            """
            {"order_id":"0195f3a0-0000-7000-8000-0000000000aa","customer_id":"cust-42","currency":"EUR",
            "lines":[{"sku":"SKU-1","description":"Ledger paper","quantity":2,"unit_price":"10.25"},
            {"sku":"SKU-2","description":"Pen","quantity":1,"unit_price":"4.50"}],
            "total":"25.00","created_at":"2025-03-01T09:30:00+01:00"}
            """;
        facts.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })
            .ShouldBe(expected.ReplaceLineEndings(""));
        personal.GetProperty("subject_id").GetString().ShouldBe("cust-42");
        personal.GetProperty("key_generation").GetInt32().ShouldBe(1);
        data.GetRawText().ShouldNotContain("Ada");
        data.GetRawText().ShouldNotContain("example.org");
        CustomerKey.Open("name", personal.GetProperty("name").GetString()!).ShouldBe("Ada");
        CustomerKey.Open("email", personal.GetProperty("email").GetString()!).ShouldBe("ada@example.org");
    }

    [Fact]
    public void Created_without_personal_data_has_no_personal_object()
    {
        var data = OrderEventCodec.Encode(new OrderCreated(OrderId, "cust-42", "EUR", Lines, 25.00m, At, null)).Data;
        data.TryGetProperty("personal", out _).ShouldBeFalse();
    }

    [Fact]
    public void Personal_data_is_never_encoded_without_its_subject_key() =>
        Should.Throw<ArgumentNullException>(() =>
            OrderEventCodec.Encode(new OrderCreated(OrderId, "c", "EUR", Lines, 25.00m, At, new CustomerPersonalData("Ada", null))));

    [Fact]
    public void Personal_fields_that_are_absent_are_left_out_of_the_sealed_object()
    {
        var key = SubjectKey.Create("acme", "c", 3);
        var personal = OrderEventCodec.Encode(new OrderCreated(OrderId, "c", "EUR", Lines, 25.00m, At, new CustomerPersonalData(null, "a@b.c")), key)
            .Data.GetProperty("personal");
        personal.EnumerateObject().Select(p => p.Name).ShouldBe(["subject_id", "key_generation", "email"]);
        personal.GetProperty("key_generation").GetInt32().ShouldBe(3);
    }

    [Fact]
    public void A_version_1_created_event_still_reads_with_its_personal_data_in_clear()
    {
        using var doc = JsonDocument.Parse("""
            {"order_id":"0195f3a0-0000-7000-8000-0000000000aa","customer_id":"cust-42","currency":"EUR",
             "lines":[{"sku":"SKU-1","description":"Ledger paper","quantity":2,"unit_price":"10.25"}],
             "total":"20.50","created_at":"2025-03-01T09:30:00+01:00","personal":{"name":"Ada","email":"ada@example.org"}}
            """);
        var created = (OrderCreated)OrderEventCodec.Decode(OrderEventCodec.Created, 1, doc.RootElement);
        created.Personal.ShouldBe(new CustomerPersonalData("Ada", "ada@example.org"));
        PersonalRecord.Read(doc.RootElement, "cust-42")!.IsSealed.ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(Events))]
    public void No_amount_is_ever_a_json_number(string eventType, OrderEvent e)
    {
        var data = OrderEventCodec.Encode(e, CustomerKey).Data;
        NumbersIn(data).ShouldBeSubsetOf(["quantity", "key_generation"], $"{eventType} data: {data.GetRawText()}");
    }

    [Fact]
    public void Paid_keeps_the_scale_of_its_amount() =>
        OrderEventCodec.Encode(new OrderPaid(OrderId, 1200m, "psp-1", At)).Data.GetProperty("amount").GetString().ShouldBe("1200");

    [Theory]
    [InlineData("commerce.order.shipped", 1)]
    [InlineData("commerce.order.paid", 2)]
    [InlineData("commerce.invoice.issued", 1)]
    public void An_unknown_name_or_version_is_refused_clearly(string eventType, int version)
    {
        using var doc = JsonDocument.Parse("{}");
        var error = Should.Throw<UnknownEventTypeException>(() => OrderEventCodec.Decode(eventType, version, doc.RootElement));
        error.Message.ShouldContain(eventType);
        error.TypeVersion.ShouldBe(version);
    }

    [Fact]
    public void Data_without_a_required_field_is_refused()
    {
        using var doc = JsonDocument.Parse("""{"order_id":"0195f3a0-0000-7000-8000-0000000000aa","amount":"25.00","paid_at":"2025-03-01T09:30:00+01:00"}""");
        Should.Throw<JsonException>(() => OrderEventCodec.Decode("commerce.order.paid", 1, doc.RootElement));
    }

    [Fact]
    public void Data_with_money_as_a_number_is_refused()
    {
        using var doc = JsonDocument.Parse("""{"order_id":"0195f3a0-0000-7000-8000-0000000000aa","amount":25.00,"requested_at":"2025-03-01T09:30:00+01:00"}""");
        Should.Throw<JsonException>(() => OrderEventCodec.Decode("commerce.order.payment_requested", 1, doc.RootElement));
    }

    private static IEnumerable<string> NumbersIn(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p =>
            p.Value.ValueKind == JsonValueKind.Number ? [p.Name] : NumbersIn(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(NumbersIn),
        _ => [],
    };
}
