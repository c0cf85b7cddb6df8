using System.Text.Json;
using Ledger.Domain.Invoicing;

namespace Ledger.Domain.Tests.Invoicing;

/// <summary>
/// Given(events).When(command).Then(events | error code) for invoices. Events are compared by their JSON form, so
/// nested lists (lines, rates) compare item by item.
/// </summary>
public static class InvoiceSpecification
{
    public static Scenario Given(params InvoiceEvent[] history) => new(history);

    public sealed class Scenario(InvoiceEvent[] history)
    {
        public Invoice State => history.Aggregate(InvoiceDecider.Initial, InvoiceDecider.Evolve);

        public Outcome When(InvoiceCommand command)
        {
            try
            {
                return new Outcome(InvoiceDecider.Decide(command, State), null);
            }
            catch (DomainError error)
            {
                return new Outcome(null, error);
            }
        }
    }

    public sealed class Outcome(InvoiceEvent[]? events, DomainError? error)
    {
        public InvoiceEvent[] Events => events ?? throw new ShouldAssertException($"the command was refused: {error?.Code} {error?.Message}");

        public void Then(params InvoiceEvent[] expected)
        {
            error.ShouldBeNull($"expected events but the command was refused: {error?.Code} {error?.Message}");
            events.ShouldNotBeNull();
            events.Select(Json).ShouldBe(expected.Select(Json));
        }

        public void Then(string errorCode)
        {
            events.ShouldBeNull($"expected {errorCode} but got [{string.Join(", ", events?.Select(e => e.GetType().Name) ?? [])}]");
            error!.Code.ShouldBe(errorCode);
            InvoiceErrors.All.ShouldContain(errorCode);
        }

        private static string Json(InvoiceEvent e) => e.GetType().Name + JsonSerializer.Serialize(e, e.GetType());
    }
}
