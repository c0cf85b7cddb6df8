using Ledger.Domain.Orders;

namespace Ledger.Domain.Tests.Orders;

/// <summary>
/// Given(events).When(command).Then(events | error code): the history is folded with Evolve, the command decided
/// against the result, and the outcome compared.
/// </summary>
public static class OrderSpecification
{
    public static Scenario Given(params OrderEvent[] history) => new(history);

    public sealed class Scenario(OrderEvent[] history)
    {
        public Outcome When(OrderCommand command)
        {
            var state = history.Aggregate(OrderDecider.Initial, OrderDecider.Evolve);
            try
            {
                return new Outcome(OrderDecider.Decide(command, state), null);
            }
            catch (DomainError error)
            {
                return new Outcome(null, error);
            }
        }
    }

    public sealed class Outcome(OrderEvent[]? events, DomainError? error)
    {
        public void Then(params OrderEvent[] expected)
        {
            error.ShouldBeNull($"expected events but the command was refused: {error?.Code}");
            events.ShouldNotBeNull();
            events.Length.ShouldBe(expected.Length, $"got [{string.Join(", ", events.Select(e => e.GetType().Name))}]");
            for (var i = 0; i < expected.Length; i++)
                ShouldMatch(events[i], expected[i]);
        }

        /// <summary>Records compare lists by reference; an order's lines are compared item by item instead.</summary>
        private static void ShouldMatch(OrderEvent actual, OrderEvent expected)
        {
            if (actual is OrderCreated created && expected is OrderCreated expectedCreated)
            {
                created.Lines.ShouldBe(expectedCreated.Lines);
                actual = created with { Lines = expectedCreated.Lines };
            }

            actual.ShouldBe(expected);
        }

        public void Then(string errorCode)
        {
            events.ShouldBeNull($"expected {errorCode} but got [{string.Join(", ", (events ?? []).Select(e => e.GetType().Name))}]");
            error.ShouldNotBeNull();
            error.Code.ShouldBe(errorCode);
        }
    }
}
