using Ledger.Domain.Invoicing;

namespace Ledger.Application.Invoicing.Stamping;

/// <summary>
/// The fiscal authority (or its certified provider: a PAC in Mexico) that stamps documents. The port is idempotent
/// by <see cref="StampRequest.DocumentId"/>: asked again for a document it stamped, an authority answers with the
/// same stamp (as SAT does with a CFDI it already stamped), so a retry after a lost answer is harmless.
/// </summary>
public interface IFiscalAuthority
{
    /// <summary>Stamps the document, or refuses it for good.</summary>
    /// <exception cref="FiscalAuthorityUnavailableException">no answer now (down, overloaded, network): try again later.</exception>
    /// <exception cref="OperationCanceledException">the caller stopped waiting (the deadline).</exception>
    Task<StampResponse> StampAsync(StampRequest request, CancellationToken ct);
}

/// <summary>What is sent to be stamped: the document's identity and the amounts the authority checks.</summary>
public sealed record StampRequest(
    string TenantId,
    Guid DocumentId,
    string DocumentKind,
    string Number,
    DateOnly IssueDate,
    string? IssuerTaxId,
    string? CustomerTaxId,
    string Currency,
    decimal Tax,
    decimal Total);

/// <summary>The authority's answer: a stamp, or a permanent refusal with its code and reason.</summary>
public abstract record StampResponse
{
    private StampResponse()
    {
    }

    public sealed record Stamped(AuthorityStamp Stamp) : StampResponse;

    public sealed record Rejected(string Code, string Reason) : StampResponse;
}

/// <summary>The authority did not answer now; the same request may succeed later (a transient failure).</summary>
public class FiscalAuthorityUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
