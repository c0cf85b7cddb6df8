namespace Ledger.Domain.Invoicing;

/// <summary>
/// A numbering series of one tenant (invoices <c>A-2026</c>, credit notes <c>R-2026</c>…): the last number it gave.
/// Its stream holds one event per number, so the stream's version is the last number; the number is assigned in the
/// same append as the document it numbers, with that version expected, so two documents can never get one number
/// and a document that is refused or fails to be written takes none (no gap).
/// </summary>
public sealed record NumberingSeries(long LastSequence);

/// <summary>Gives the next number of the series to a document.</summary>
public sealed record AssignNumber(string Series, Guid DocumentId, DateTimeOffset Now, string Actor);

/// <summary>Number <paramref name="Sequence"/> of <paramref name="Series"/> went to document <paramref name="DocumentId"/>.</summary>
public sealed record NumberAssigned(string Series, long Sequence, Guid DocumentId, DateTimeOffset AssignedAt)
{
    public InvoiceNumber Number => new(Series, Sequence);
}

public static class InvoiceNumberingSeries
{
    public static NumberingSeries Initial { get; } = new(0);

    public static NumberAssigned[] Decide(AssignNumber command, NumberingSeries state)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(state);
        if (!InvoiceNumber.IsValidSeries(command.Series))
            throw InvoiceErrors.Refuse(InvoiceErrors.InvalidSeries,
                $"'{command.Series}' is not a series code: upper-case letters, digits and dashes, at most 20 characters.");
        return [new NumberAssigned(command.Series, state.LastSequence + 1, command.DocumentId, command.Now)];
    }

    public static NumberingSeries Evolve(NumberingSeries state, NumberAssigned e)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(e);
        return e.Sequence > state.LastSequence ? new NumberingSeries(e.Sequence) : state;
    }
}
