using System.Globalization;
using Ledger.EventStore.Chain;
using Ledger.EventStore.Merkle;
using Ledger.Host.Auth;
using Ledger.Host.Configuration;
using Ledger.Host.Errors;
using Ledger.Host.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Ledger.Host.Auditing;

/// <summary>
/// Merkle proofs over the tenant's log (docs/ledger-format.md §13), for auditors: that an entry is in the tree of a
/// size, and that the tree of one size is a prefix of the tree of another. Sizes count entries (chain positions 1..n);
/// without one, the tree is the log as sealed now (the tenant's head). The roots come with the proofs, but an auditor
/// checks a proof against a root they hold, never against the one served beside it.
/// </summary>
[Tags("Ledger")]
[Authorize(Policy = LedgerPolicies.ReadLedger)]
public static class ProofEndpoints
{
    public const string BeyondSealedLog = "ledger.beyond_sealed_log";

    [WolverineGet("/api/ledger/proofs/inclusion", OperationId = "getInclusionProof")]
    [EndpointSummary("Prove that an entry is in the tenant's Merkle tree of a size")]
    [EndpointDescription("position: the entry's chain_seq (required); tree_size: the tree's size, default the sealed log's. "
        + "Hashes are lowercase hex; proof is the RFC 9162 inclusion path, deepest first, for leaf_index = position - 1. "
        + "A size or position beyond the sealed log is 404 ledger.beyond_sealed_log (with sealed_size); a chain lacking an "
        + "entry the tree needs is 409 ledger.chain_broken.")]
    public static async Task<Results<Ok<InclusionProofView>, ProblemHttpResult>> Inclusion(
        long? position, [FromQuery(Name = "tree_size")] long? treeSize, HttpContext http, LedgerDataSources data, LedgerTreeReader trees,
        CancellationToken ct)
    {
        QueryValues.RefuseUnreadable(http.Request, ("position", position), ("tree_size", treeSize));
        var validation = new RequestValidation();
        if (position is null) validation.Fail("position", RequestValidation.Required, "is required");
        else if (position < 1) validation.Fail("position", RequestValidation.OutOfRange, "must be 1 or more");
        if (treeSize is < 1) validation.Fail("tree_size", RequestValidation.OutOfRange, "must be 1 or more");
        else if (treeSize < position) validation.Fail("tree_size", RequestValidation.OutOfRange, "must not be below position");
        validation.ThrowIfInvalid();

        var tenant = http.User.TenantId();
        var (sealedSize, _) = await new ChainEntryReader(data.App).HeadAsync(tenant, ct);
        var size = treeSize ?? sealedSize;
        if (size > sealedSize || position > size)
            return Beyond(sealedSize, string.Create(CultureInfo.InvariantCulture,
                $"The tenant's log is sealed through {sealedSize} entries; it has no tree of size {size} holding entry {position}."));
        try
        {
            var proof = await trees.InclusionProofAsync(tenant, position!.Value, size, ct);
            return TypedResults.Ok(InclusionProofView.Of(tenant, proof));
        }
        catch (IncompleteTreeException e)
        {
            return Problems.Result(StatusCodes.Status409Conflict, AuditorEndpoints.ChainBroken, "The chain is broken", e.Message);
        }
    }

    [WolverineGet("/api/ledger/proofs/consistency", OperationId = "getConsistencyProof")]
    [EndpointSummary("Prove that the tenant's Merkle tree of one size is a prefix of the tree of a larger size")]
    [EndpointDescription("first_size (required, 1 or more) and second_size (default the sealed log's size). Hashes are "
        + "lowercase hex; proof is the RFC 9162 consistency proof (empty when the sizes are equal). A size beyond the sealed "
        + "log is 404 ledger.beyond_sealed_log (with sealed_size); a chain lacking an entry the trees need is 409 ledger.chain_broken.")]
    public static async Task<Results<Ok<ConsistencyProofView>, ProblemHttpResult>> Consistency(
        [FromQuery(Name = "first_size")] long? firstSize, [FromQuery(Name = "second_size")] long? secondSize, HttpContext http,
        LedgerDataSources data, LedgerTreeReader trees, CancellationToken ct)
    {
        QueryValues.RefuseUnreadable(http.Request, ("first_size", firstSize), ("second_size", secondSize));
        var validation = new RequestValidation();
        if (firstSize is null) validation.Fail("first_size", RequestValidation.Required, "is required");
        else if (firstSize < 1) validation.Fail("first_size", RequestValidation.OutOfRange, "must be 1 or more");
        if (secondSize is < 1) validation.Fail("second_size", RequestValidation.OutOfRange, "must be 1 or more");
        else if (secondSize < firstSize) validation.Fail("second_size", RequestValidation.OutOfRange, "must not be below first_size");
        validation.ThrowIfInvalid();

        var tenant = http.User.TenantId();
        var (sealedSize, _) = await new ChainEntryReader(data.App).HeadAsync(tenant, ct);
        var second = secondSize ?? sealedSize;
        if (second > sealedSize || firstSize > second)
            return Beyond(sealedSize, string.Create(CultureInfo.InvariantCulture,
                $"The tenant's log is sealed through {sealedSize} entries; it has no trees of sizes {firstSize} and {second}."));
        try
        {
            var proof = await trees.ConsistencyProofAsync(tenant, firstSize!.Value, second, ct);
            return TypedResults.Ok(ConsistencyProofView.Of(tenant, proof));
        }
        catch (IncompleteTreeException e)
        {
            return Problems.Result(StatusCodes.Status409Conflict, AuditorEndpoints.ChainBroken, "The chain is broken", e.Message);
        }
    }

    private static ProblemHttpResult Beyond(long sealedSize, string detail)
    {
        var problem = Problems.Create(StatusCodes.Status404NotFound, BeyondSealedLog, "Beyond the sealed log", detail);
        problem.Extensions["sealed_size"] = sealedSize;
        return TypedResults.Problem(problem);
    }
}

/// <summary>An inclusion proof: the entry at <c>position</c> is leaf <c>leaf_index</c> of the tree of <c>tree_size</c> entries.</summary>
public sealed record InclusionProofView(
    string TenantId, long Position, long LeafIndex, long TreeSize, string EntryHash, string LeafHash, string RootHash, IReadOnlyList<string> Proof)
{
    public static InclusionProofView Of(string tenantId, InclusionProof proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        return new(tenantId, proof.LeafIndex + 1, proof.LeafIndex, proof.TreeSize, Convert.ToHexStringLower(proof.EntryHash),
            Convert.ToHexStringLower(proof.LeafHash), Convert.ToHexStringLower(proof.RootHash), [.. proof.Path.Select(Convert.ToHexStringLower)]);
    }
}

/// <summary>A consistency proof: the tree of <c>first_size</c> entries is a prefix of the tree of <c>second_size</c>.</summary>
public sealed record ConsistencyProofView(string TenantId, long FirstSize, long SecondSize, string FirstRoot, string SecondRoot, IReadOnlyList<string> Proof)
{
    public static ConsistencyProofView Of(string tenantId, ConsistencyProof proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        return new(tenantId, proof.FirstSize, proof.SecondSize, Convert.ToHexStringLower(proof.FirstRoot), Convert.ToHexStringLower(proof.SecondRoot),
            [.. proof.Path.Select(Convert.ToHexStringLower)]);
    }
}
