using Ledger.EventStore.Chain;

namespace Ledger.EventStore.Export;

/// <summary>One thing wrong with an export: why, where in the chain (when it is about a position) and in which file.</summary>
public sealed record ExportFailure(ChainFailureReason Reason, long? Position, string? File, string Detail)
{
    /// <summary><c>FAIL hash_mismatch at 4: …</c>, the line both verifiers print (tools/verify-export.py too).</summary>
    public override string ToString() =>
        $"FAIL {Reason.Code()}{(Position is { } p ? $" at {p}" : "")}{(File is { } f ? $" file {f}" : "")}: {Detail}";
}

/// <summary>
/// What the offline verifier found. <see cref="VerifiedThrough"/> is the last position of the chain that verified;
/// <see cref="Failures"/> lists every problem found: those of the manifest and files, then the chain walk's first failure.
/// <see cref="TreeRoot"/> is the Merkle root of the entries through <see cref="VerifiedThrough"/> when the export lets the
/// verifier compute it (from position 1, or with its manifest's <c>tree_frontier</c>); <see cref="TreeRootsUnchecked"/>
/// counts the checkpoints' tree roots it could not check without it.
/// </summary>
public sealed record ExportVerification(
    ExportManifest? Manifest, string? ManifestKid, bool KeysFromExport, long VerifiedThrough, long EntriesChecked,
    int CheckpointsReached, int CheckpointsInRange, byte[] LastChainHash, IReadOnlyList<ExportFailure> Failures,
    byte[]? TreeRoot = null, int TreeRootsUnchecked = 0)
{
    public bool Succeeded => Failures.Count == 0;

    /// <summary>The first failure of the chain itself (with a position), if any.</summary>
    public ExportFailure? ChainFailure => Failures.FirstOrDefault(f => f.Position is not null);
}
