using FsCheck;
using FsCheck.Fluent;
using Ledger.Domain.Money;
using Ledger.Domain.Orders;
using static Ledger.Domain.Tests.Orders.OrderExamples;

namespace Ledger.Domain.Tests.Orders;

/// <summary>Invariants that must hold for every order, not just the examples.</summary>
public class OrderProperties
{
    private static readonly string[] Currencies = ["EUR", "JPY", "KWD", "CLF", "USD"];

    private static Gen<OrderLine> LineIn(Currency currency) =>
        from quantity in Gen.Choose(1, 10_000)
        from minor in Gen.Choose(0, 100_000_000)
        select new OrderLine("SKU-" + minor, "article", quantity, minor / Pow10(currency.MinorUnits));

    private static decimal Pow10(int n) => Enumerable.Repeat(10m, n).Aggregate(1m, (a, b) => a * b);

    private static readonly Gen<(Currency Currency, OrderLine[] Lines)> NewOrders =
        from code in Gen.Elements(Currencies)
        let currency = Currency.TryGet(code, out var c) ? c : throw new InvalidOperationException(code)
        from lines in Gen.NonEmptyListOf(LineIn(currency))
        select (currency, lines.ToArray());

    [Fact]
    public void The_total_of_a_new_order_is_the_sum_of_its_lines_in_the_currency_minor_units() =>
        Prop.ForAll(NewOrders.ToArbitrary(), order =>
        {
            var command = Create(order.Lines, order.Currency.Code);
            var created = (OrderCreated)OrderDecider.Decide(command, OrderDecider.Initial).Single();
            var sum = order.Lines.Sum(l => l.Quantity * l.UnitPrice);
            var confirmed = OrderDecider.Decide(command with { ExpectedTotal = sum }, OrderDecider.Initial);
            return created.Total == sum
                && created.Total.Scale == order.Currency.MinorUnits
                && confirmed.Length == 1;
        }).QuickCheckThrowOnFailure();

    /// <summary>Commands in any order, including nonsense; the total of the example order is 25.00.</summary>
    private static readonly Gen<OrderCommand> AnyCommand =
        from kind in Gen.Choose(0, 7)
        from reference in Gen.Elements("psp-1", "psp-2", "psp-3")
        select kind switch
        {
            0 => (OrderCommand)Create(),
            1 => RequestPayment(),
            2 => Pay(reference: reference),
            3 => Pay(amount: 25m, reference: reference),
            4 => Pay(amount: 24.99m, reference: reference),
            5 => FailPayment(),
            6 => Fulfil(),
            _ => Cancel(),
        };

    [Fact]
    public void For_any_commands_an_order_is_paid_at_most_once_and_never_fulfilled_unpaid() =>
        Prop.ForAll(Gen.ListOf(AnyCommand).ToArbitrary(), commands =>
        {
            var history = new List<OrderEvent>();
            var state = OrderDecider.Initial;
            foreach (var command in commands)
            {
                try
                {
                    var events = OrderDecider.Decide(command, state);
                    history.AddRange(events);
                    state = events.Aggregate(state, OrderDecider.Evolve);
                }
                catch (DomainError)
                {
                    // refused: the history is unchanged, which is what a refusal means
                }
            }

            var paid = history.FindIndex(e => e is OrderPaid);
            var fulfilled = history.FindIndex(e => e is OrderFulfilled);
            var cancelled = history.FindIndex(e => e is OrderCancelled);
            return history.Count(e => e is OrderPaid) <= 1
                && history.Count(e => e is OrderFulfilled) <= 1
                && (fulfilled < 0 || (paid >= 0 && paid < fulfilled))
                && (cancelled < 0 || paid < 0)
                && history.Count(e => e is OrderCreated) <= 1;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Decide_is_total_it_refuses_only_with_domain_errors() =>
        Prop.ForAll(Gen.ListOf(AnyCommand).ToArbitrary(), commands =>
        {
            var state = OrderDecider.Initial;
            foreach (var command in commands)
            {
                try
                {
                    state = OrderDecider.Decide(command, state).Aggregate(state, OrderDecider.Evolve);
                }
                catch (DomainError error) when (OrderErrors.All.Contains(error.Code))
                {
                }
            }

            return state.Status.Length > 0;
        }).QuickCheckThrowOnFailure();
}
