using System.Text.Json;
using Ledger.Application.Json;

namespace Ledger.Application.Tests.Json;

public class LedgerJsonTests
{
    private sealed record Sample(decimal Amount, DayOfWeek Day, string CustomerId, decimal? Discount = null, string? Note = null);

    [Fact]
    public void Money_is_written_as_a_string_that_keeps_its_scale_and_names_are_snake_case()
    {
        var json = JsonSerializer.Serialize(new Sample(12.50m, DayOfWeek.Monday, "c-1", 0.10m), LedgerJson.Options);
        json.ShouldBe("""{"amount":"12.50","day":"monday","customer_id":"c-1","discount":"0.10"}""");
    }

    [Theory]
    [InlineData("12.50")]
    [InlineData("-0.001")]
    [InlineData("79228162514264337593543950335")]
    [InlineData("0")]
    public void Money_round_trips_through_its_string_exactly(string text)
    {
        var value = JsonSerializer.Deserialize<decimal>($"\"{text}\"", LedgerJson.Options);
        JsonSerializer.Serialize(value, LedgerJson.Options).ShouldBe($"\"{text}\"");
    }

    [Theory]
    [InlineData("12.5")]
    [InlineData("\"12,50\"")]
    [InlineData("\"1e3\"")]
    [InlineData("\"\"")]
    public void Money_that_is_a_number_or_not_a_plain_decimal_is_refused(string json) =>
        Should.Throw<JsonException>(() => JsonSerializer.Deserialize<decimal>(json, LedgerJson.Options));

    [Fact]
    public void A_missing_required_member_is_refused_rather_than_defaulted() =>
        Should.Throw<JsonException>(() => JsonSerializer.Deserialize<Sample>("""{"amount":"1.00","day":"monday"}""", LedgerJson.Options));
}
