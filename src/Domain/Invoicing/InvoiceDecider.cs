using Ledger.Domain.Money;

namespace Ledger.Domain.Invoicing;

/// <summary>
/// The invoice aggregate as a decider: <see cref="Decide"/> turns a command and the current state into new events
/// (or refuses with a <see cref="DomainError"/>); <see cref="Evolve"/> folds one event into the state. Both are pure.
/// A command repeated after it took effect returns no events: the same stamp recorded twice, a contingency seal for
/// an invoice the authority already answered, an issue repeated for the same order.
/// </summary>
public static class InvoiceDecider
{
    public static Invoice Initial { get; } = new Invoice.None();

    public static InvoiceEvent[] Decide(InvoiceCommand command, Invoice state)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(state);
        return (command, state) switch
        {
            (IssueInvoice issue, Invoice.None) => [Issue(issue)],
            (IssueInvoice issue, Invoice.Issued s) when Repeats(issue, s.Facts) => [],
            (IssueInvoice, _) => throw Refuse(InvoiceErrors.AlreadyExists, command, "already exists"),
            (_, Invoice.None) => throw Refuse(InvoiceErrors.NotFound, command, "does not exist"),

            (RecordStamp stamp, Invoice.Issued { Stamping: InvoiceStamping.Pending or InvoiceStamping.Contingency } s) =>
                [new InvoiceStamped(stamp.InvoiceId, stamp.Stamp, s.Stamping is InvoiceStamping.Contingency, stamp.Now)],
            (RecordStamp stamp, Invoice.Issued { Stamping: InvoiceStamping.Stamped done })
                when done.Stamp.AuthorityId == stamp.Stamp.AuthorityId => [],
            (RecordStamp, Invoice.Issued { Stamping: InvoiceStamping.Stamped }) =>
                throw Refuse(InvoiceErrors.AlreadyStamped, command, "already has another stamp of the authority"),
            (RecordStamp, Invoice.Issued { Stamping: InvoiceStamping.Rejected }) =>
                throw Refuse(InvoiceErrors.StampRejected, command, "was rejected by the authority"),

            (RecordContingencyStamp seal, Invoice.Issued { Stamping: InvoiceStamping.Pending }) =>
                [new InvoiceContingencyStamped(seal.InvoiceId, seal.Seal, seal.Reason)],
            // Sealed already, or the authority has answered: a provisional seal is no longer needed.
            (RecordContingencyStamp, Invoice.Issued) => [],

            (RecordStampRejection reject, Invoice.Issued { Stamping: InvoiceStamping.Pending or InvoiceStamping.Contingency }) =>
                [new InvoiceStampRejected(reject.InvoiceId, reject.Code, reject.Reason, reject.Now)],
            (RecordStampRejection, Invoice.Issued { Stamping: InvoiceStamping.Rejected }) => [],
            (RecordStampRejection, Invoice.Issued { Stamping: InvoiceStamping.Stamped }) =>
                throw Refuse(InvoiceErrors.AlreadyStamped, command, "is already stamped"),

            (CreditInvoice credit, Invoice.Issued s) when s.Credits.CreditNoteIds.Contains(credit.CreditNoteId) => [],
            (CreditInvoice credit, Invoice.Issued s) => [InvoiceCrediting.Credit(credit, s)],

            _ => throw new ArgumentOutOfRangeException(nameof(command), $"{command.GetType().Name} is not an invoice command this decider knows."),
        };
    }

    public static Invoice Evolve(Invoice state, InvoiceEvent e)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(e);
        return (state, e) switch
        {
            (Invoice.None, InvoiceIssued issued) =>
                new Invoice.Issued(issued.Facts, new InvoiceStamping.Pending(), InvoiceCredits.None(issued.Facts.Lines.Count)),
            (Invoice.Issued s, InvoiceStamped stamped) =>
                s with { Stamping = new InvoiceStamping.Stamped(stamped.Stamp, (s.Stamping as InvoiceStamping.Contingency)?.Seal) },
            (Invoice.Issued { Stamping: InvoiceStamping.Pending } s, InvoiceContingencyStamped contingency) =>
                s with { Stamping = new InvoiceStamping.Contingency(contingency.Seal) },
            (Invoice.Issued s, InvoiceStampRejected rejected) =>
                s with { Stamping = new InvoiceStamping.Rejected(rejected.Code, rejected.Reason, rejected.RejectedAt, (s.Stamping as InvoiceStamping.Contingency)?.Seal) },
            (Invoice.Issued s, InvoiceCredited credited) => s with { Credits = InvoiceCrediting.Apply(s.Credits, credited) },
            // Recorded events are facts: a fold never refuses history (see OrderDecider.Evolve).
            _ => state,
        };
    }

    private static InvoiceIssued Issue(IssueInvoice issue)
    {
        if (!InvoiceNumber.IsValidSeries(issue.Number.Series) || issue.Number.Sequence < 1)
            throw Refuse(InvoiceErrors.InvalidSeries, issue, $"cannot be numbered '{issue.Number}'");
        var currency = CurrencyOf(issue.Currency, issue);
        var functional = CurrencyOf(issue.FunctionalCurrency, issue);
        var rate = ExchangeRate(issue, currency, functional);
        try
        {
            var lines = InvoicePricing.Price(issue.Lines, issue.TaxRules, currency);
            var byRate = InvoicePricing.ByRate(lines.Select(l => (l.TaxRate, l.TaxExempt, l.Base)), currency, functional, rate);
            var facts = new InvoiceFacts(issue.InvoiceId, issue.Number, issue.Now, issue.IssueDate, issue.OrderId, issue.Customer,
                currency.Code, functional.Code, rate, issue.TaxRules.Version, lines, byRate, DocumentTotals.Of(byRate));
            return new InvoiceIssued(facts, issue.Personal);
        }
        catch (OverflowException)
        {
            throw Refuse(InvoiceErrors.AmountOutOfRange, issue, "has amounts too large to be represented");
        }
    }

    private static Currency CurrencyOf(string code, IssueInvoice issue) =>
        Currency.TryGet(code, out var currency)
            ? currency
            : throw Refuse(InvoiceErrors.UnknownCurrency, issue, $"is in '{code}', which is not an ISO 4217 currency code");

    public const decimal MaxExchangeRate = 1_000_000m;
    public const int MaxExchangeRateDecimals = 10;

    private static decimal ExchangeRate(IssueInvoice issue, Currency currency, Currency functional)
    {
        if (currency.Code == functional.Code)
            return issue.ExchangeRate is null or 1m
                ? 1m
                : throw Refuse(InvoiceErrors.InvalidExchangeRate, issue, "is in the functional currency: its exchange rate is 1");
        if (issue.ExchangeRate is not { } rate)
            throw Refuse(InvoiceErrors.ExchangeRateRequired, issue, $"needs an exchange rate from {currency.Code} to {functional.Code}");
        if (rate <= 0 || rate > MaxExchangeRate || InvoicePricing.Decimals(rate) > MaxExchangeRateDecimals)
            throw Refuse(InvoiceErrors.InvalidExchangeRate, issue,
                $"has an exchange rate that is not positive, above {MaxExchangeRate} or with more than {MaxExchangeRateDecimals} decimals");
        return rate;
    }

    /// <summary>
    /// The same issue sent again: for the same order (a reaction seeing the order paid twice), or with the same series,
    /// currency, customer and lines (a client retrying). Anything else under an existing invoice id is a mistake.
    /// </summary>
    private static bool Repeats(IssueInvoice issue, InvoiceFacts facts) =>
        issue.OrderId is { } order
            ? facts.OrderId == order
            : facts.OrderId is null
              && facts.Number.Series == issue.Number.Series
              && facts.Currency == issue.Currency
              && facts.Customer.TaxId == issue.Customer.TaxId
              && facts.Lines.Count == issue.Lines.Count
              && facts.Lines.Zip(issue.Lines).All(p => p.First.Description == p.Second.Description
                  && p.First.Quantity == p.Second.Quantity && p.First.UnitPrice == p.Second.UnitPrice
                  && p.First.DiscountPercent == p.Second.DiscountPercent && p.First.TaxCategory == p.Second.TaxCategory);

    internal static DomainError Refuse(string code, InvoiceCommand command, string what) =>
        InvoiceErrors.Refuse(code, $"Invoice {command.InvoiceId} {what}.");
}
