namespace Ledger.Application.Invoicing.Stamping;

/// <summary>What one stamping attempt for a document came to.</summary>
public enum StampingOutcome
{
    /// <summary>The authority's stamp is recorded (now, or already before).</summary>
    Stamped,

    /// <summary>The authority's permanent refusal is recorded.</summary>
    Rejected,

    /// <summary>A contingency seal is recorded; reconciliation follows.</summary>
    ContingencySealed,

    /// <summary>No answer this time; try again later.</summary>
    RetryLater,

    /// <summary>Nothing to do: the document does not await the authority.</summary>
    NothingToDo,
}
