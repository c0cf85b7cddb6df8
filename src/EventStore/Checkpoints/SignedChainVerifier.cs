using System.Globalization;
using Ledger.EventStore.Chain;
using Ledger.EventStore.Merkle;
using Npgsql;

namespace Ledger.EventStore.Checkpoints;

public enum VerificationStatus
{
    /// <summary>The whole range verified.</summary>
    Verified,

    /// <summary>Verified so far; continue with the cursor.</summary>
    InProgress,

    /// <summary>Stopped at the first failure.</summary>
    Failed,
}

/// <summary>One page of a resumable verification: how far the walk has verified, and the failure or the cursor to go on.</summary>
public sealed record VerificationStep(
    string TenantId, long From, long To, VerificationStatus Status, long VerifiedThrough, long EntriesChecked,
    int CheckpointsReached, byte[] LastChainHash, ChainFailure? Failure, VerificationCursor? Cursor, byte[]? TreeRoot = null);

/// <summary>
/// What an auditor brings to a verification besides the database: the key set they trust (fetched from
/// <c>GET /api/ledger/jwks</c> and kept) instead of the stored key history, and checkpoint JWSs they kept from earlier,
/// which the chain must reach too, however short the database now says it is.
/// </summary>
public sealed record AuditorEvidence(LedgerKeySet? TrustedKeys, IReadOnlyList<string> HeldCheckpoints)
{
    public static readonly AuditorEvidence None = new(null, []);
}

/// <summary>
/// Verifies a tenant's stored chain as the auditor API (and <c>ledger verify</c>) does: the <see cref="ChainWalk"/> over stored entries, plus
/// every signed checkpoint in the range (signature checked against the key history, then the chain must reach it with
/// the hash it signed), plus the tail against the head row and the latest checkpoint. Long ranges go page by page,
/// at most <c>maxEntries</c> per call, resumable by <see cref="VerificationCursor"/>. Reads only.
/// </summary>
public sealed class SignedChainVerifier(
    NpgsqlDataSource dataSource, SigningKeyHistory history, CheckpointStore checkpoints, int pageSize = 1000, LedgerTreeReader? trees = null)
{
    private readonly ChainEntryReader reader = new(dataSource);
    private readonly ChainVerifier walker = new(dataSource, pageSize);
    private readonly LedgerTreeReader trees = trees ?? new(dataSource);

    /// <summary>
    /// The range a new verification covers: <paramref name="to"/>, or as far as anything claims the chain goes (the head
    /// row, the latest checkpoint, a verified checkpoint the auditor holds).
    /// </summary>
    public async Task<long> ResolveEndAsync(string tenantId, long? to, CancellationToken ct = default) =>
        await ResolveEndAsync(tenantId, to, [], ct);

    private async Task<long> ResolveEndAsync(string tenantId, long? to, IReadOnlyList<ChainAnchor> held, CancellationToken ct)
    {
        if (to is { } end) return end;
        var (head, _) = await reader.HeadAsync(tenantId, ct);
        var latest = await checkpoints.LatestAsync(tenantId, ct);
        return Math.Max(Math.Max(head, latest?.Checkpoint.ChainSeq ?? 0), held.Where(a => a.IsValid).Select(a => a.Position).DefaultIfEmpty().Max());
    }

    public Task<VerificationStep> StepAsync(string tenantId, long from, long? to, VerificationCursor? cursor, long maxEntries, CancellationToken ct = default) =>
        StepAsync(tenantId, from, to, cursor, maxEntries, AuditorEvidence.None, ct);

    /// <summary>
    /// One page of the walk. With <paramref name="evidence"/>, checkpoints are checked against the auditor's key set, and
    /// the auditor's own checkpoints join the stored ones (a held checkpoint that cannot even be read is a bad signature at 0).
    /// </summary>
    public async Task<VerificationStep> StepAsync(
        string tenantId, long from, long? to, VerificationCursor? cursor, long maxEntries, AuditorEvidence evidence, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        ArgumentNullException.ThrowIfNull(evidence);
        var keys = evidence.TrustedKeys ?? await history.ReadAsync(ct);
        var held = evidence.HeldCheckpoints.Select(jws => SignedCheckpoint.ToAnchor(jws, keys, tenantId, fallbackPosition: 0)).ToList();
        if (held.FirstOrDefault(a => a.Position == 0) is { } unreadable)
            return Step(tenantId, new ChainWalk(Math.Max(from, 1), LedgerRecord.GenesisHash), to ?? 0,
                new ChainFailure(0, ChainFailureReason.BadSignature, $"a checkpoint the auditor holds cannot be read: {unreadable.Invalid}"));
        ChainWalk walk;
        long end, anchorsFrom;
        if (cursor is null)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(from, 1);
            end = await ResolveEndAsync(tenantId, to, held, ct);
            if (from > end) return new(tenantId, from, end, VerificationStatus.Verified, from - 1, 0, 0, [], null, null);
            var previous = await reader.ChainHashAtAsync(tenantId, from - 1, ct);
            if (previous is null)
                return Step(tenantId, new ChainWalk(from, LedgerRecord.GenesisHash), end,
                    new ChainFailure(from - 1, ChainFailureReason.Gap, $"entry {from - 1} before the range is missing"));
            walk = new ChainWalk(from, previous, tree: await TreeBeforeAsync(tenantId, from, ct));
            anchorsFrom = from - 1;
        }
        else
        {
            walk = new ChainWalk(cursor.From, cursor.Previous, cursor.Next, cursor.EntriesChecked, cursor.CheckpointsReached,
                cursor.Tree is { } frontier ? new MerkleTreeBuilder(cursor.Next - 1, frontier) : null);
            end = cursor.To;
            anchorsFrom = cursor.Next;
        }

        var stepEnd = Math.Min(end, walk.Next + maxEntries - 1);
        await AddAnchors(walk, tenantId, keys, held, Math.Max(anchorsFrom, 1), stepEnd, ct);
        var ranOut = walk.Failure is null && await walker.WalkAsync(tenantId, walk, stepEnd, maxEntries, ct);
        if (walk.Failure is not null) return Step(tenantId, walk, end, walk.Failure);
        if (!ranOut || (walk.Next > stepEnd && stepEnd < end))
            return Step(tenantId, walk, end, null,
                new VerificationCursor(walk.From, end, walk.Next, walk.Previous, walk.EntriesChecked, walk.AnchorsReached, walk.Tree?.Frontier()));

        // The stored entries ended (or the range did): the tail must reach the head row and every checkpoint in range.
        await AddAnchors(walk, tenantId, keys, held, stepEnd + 1, end, ct);
        var (head, _) = await reader.HeadAsync(tenantId, ct);
        walk.Finish(Math.Min(end, head), string.Create(CultureInfo.InvariantCulture, $"the chain head"));
        return Step(tenantId, walk, end, walk.Failure);
    }

    // The Merkle tree of the entries before the range, read as stored, as the range's previous hash is: the database is
    // what this verifier checks. A chain broken before the range leaves the tree roots unchecked.
    private async Task<MerkleTreeBuilder?> TreeBeforeAsync(string tenantId, long from, CancellationToken ct)
    {
        try
        {
            return await trees.TreeAsync(tenantId, from - 1, ct);
        }
        catch (IncompleteTreeException)
        {
            return null;
        }
    }

    private async Task AddAnchors(ChainWalk walk, string tenantId, LedgerKeySet keys, IReadOnlyList<ChainAnchor> held, long fromSeq, long toSeq, CancellationToken ct)
    {
        if (fromSeq > toSeq) return;
        var anchors = held.Where(a => a.Position >= fromSeq && a.Position <= toSeq).ToList();
        await foreach (var checkpoint in checkpoints.AllInRangeAsync(tenantId, fromSeq, toSeq, ct))
            anchors.Add(SignedCheckpoint.ToAnchor(checkpoint.Jws, keys, tenantId, checkpoint.Checkpoint.ChainSeq));
        // A checkpoint whose signed payload claims another position than its row is judged where it claims to be.
        walk.AddAnchors(anchors.Where(a => a.Position <= toSeq));
    }

    private static VerificationStep Step(string tenantId, ChainWalk walk, long end, ChainFailure? failure, VerificationCursor? cursor = null) =>
        new(tenantId, walk.From, end,
            failure is not null ? VerificationStatus.Failed : cursor is not null ? VerificationStatus.InProgress : VerificationStatus.Verified,
            walk.VerifiedThrough, walk.EntriesChecked, walk.AnchorsReached, walk.Previous, failure, cursor, walk.Tree?.Root());
}
