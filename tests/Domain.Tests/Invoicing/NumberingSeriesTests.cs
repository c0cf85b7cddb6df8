using Ledger.Domain.Invoicing;

namespace Ledger.Domain.Tests.Invoicing;

public class NumberingSeriesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Given_a_new_series_When_assign_Then_number_one()
    {
        var assigned = InvoiceNumberingSeries.Decide(new AssignNumber("A-2026", Guid.Empty, T0, "clerk"), InvoiceNumberingSeries.Initial).Single();
        assigned.Sequence.ShouldBe(1);
        assigned.Number.Text.ShouldBe("A-2026/000001");
    }

    [Fact]
    public void Given_forty_one_numbers_When_assign_Then_forty_two()
    {
        var state = Enumerable.Range(1, 41).Aggregate(InvoiceNumberingSeries.Initial,
            (s, n) => InvoiceNumberingSeries.Evolve(s, new NumberAssigned("A", n, Guid.NewGuid(), T0)));
        InvoiceNumberingSeries.Decide(new AssignNumber("A", Guid.NewGuid(), T0, "clerk"), state).Single().Sequence.ShouldBe(42);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a-2026")]
    [InlineData("-A")]
    [InlineData("A/1")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTU")]
    public void Given_any_series_When_assign_with_an_invalid_code_Then_invalid_series(string series) =>
        Should.Throw<DomainError>(() => InvoiceNumberingSeries.Decide(new AssignNumber(series, Guid.Empty, T0, "clerk"), InvoiceNumberingSeries.Initial))
            .Code.ShouldBe("series.invalid_code");

    [Fact]
    public void A_number_beyond_six_digits_is_written_in_full() =>
        new InvoiceNumber("B", 1234567).Text.ShouldBe("B/1234567");
}
