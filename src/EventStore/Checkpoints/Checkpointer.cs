using System.Globalization;
using Ledger.EventStore.Chain;
using Ledger.EventStore.Merkle;
using Npgsql;

namespace Ledger.EventStore.Checkpoints;

/// <summary>When a tenant's head is due for a checkpoint: every <see cref="EveryEntries"/> entries, or once its oldest unsigned entry is <see cref="Every"/> old.</summary>
public sealed record CheckpointPolicy(long EveryEntries, TimeSpan Every);

public enum CheckpointResult
{
    /// <summary>A new checkpoint was stored.</summary>
    Signed,

    /// <summary>The head is already signed; nothing to do.</summary>
    UpToDate,

    /// <summary>The chain since the last checkpoint does not verify: Ledger will not vouch for it.</summary>
    ChainBroken,

    /// <summary>This process's key is not the active one (a newer key superseded it): it must not sign.</summary>
    KeyNotActive,

    /// <summary>
    /// The tenant's chain no longer has, at a position this signer signed, the hash it signed (kept outside the database,
    /// <see cref="SignedHeads"/>): the chain was rewritten. The signer stops signing, for every tenant.
    /// </summary>
    Rewritten,

    /// <summary>The signer stopped after it found a rewritten chain (<see cref="Checkpointer.Halt"/>): it signs nothing.</summary>
    Halted,
}

public sealed record CheckpointOutcome(string TenantId, CheckpointResult Result, SignedCheckpoint? Checkpoint = null, ChainFailure? Failure = null);

/// <summary>
/// Signs tenants' chain heads. Before signing it verifies the chain from the last checkpoint to the head with the same
/// <see cref="ChainWalk"/> auditors use, so a checkpoint says "Ledger checked this, and it links to what it signed
/// before", never merely "this is what the head row said". Run by one process at a time (the Host holds a lease);
/// the (tenant, position) key keeps a second signer harmless anyway.
/// <para>
/// What the database says it signed is not enough: its owner can rewrite a chain, hashes and all, and delete the
/// checkpoints that would contradict it. With <paramref name="signed"/> (its own record, beside its key) the signer
/// first checks that the chain still has every head it signed, and signs nothing more once one is gone.
/// </para>
/// </summary>
public sealed class Checkpointer(
    NpgsqlDataSource dataSource, IEventStore store, CheckpointKey key, SigningKeyHistory history,
    CheckpointStore checkpoints, CheckpointPolicy policy, TimeProvider clock, MartenStore.SealProgress? sealing = null,
    SignedHeads? signed = null, SignedTrees? trees = null)
{
    private readonly SignedTrees trees = trees ?? new SignedTrees();

    /// <summary>The rewrite that stopped the signer, if it found one (kept in its record, so a restart does not undo it).</summary>
    public SignerHalt? Halt => signed?.Halt;

    // How long a signer waits for its own rotation entry to be sealed, so the checkpoint it signs next covers it.
    private static readonly TimeSpan RotationSealWait = TimeSpan.FromSeconds(10);

    private readonly ChainEntryReader reader = new(dataSource);
    private readonly ChainVerifier walker = new(dataSource);

    /// <summary>Checkpoints every due tenant; returns what happened to each.</summary>
    public async Task<IReadOnlyList<CheckpointOutcome>> RunOnceAsync(CancellationToken ct = default)
    {
        var outcomes = new List<CheckpointOutcome>();
        foreach (var tenant in await DueTenantsAsync(1000, ct))
        {
            var outcome = await CheckpointAsync(tenant, ct);
            outcomes.Add(outcome);
            if (outcome.Result is CheckpointResult.KeyNotActive or CheckpointResult.Rewritten or CheckpointResult.Halted) break;
        }
        return outcomes;
    }

    public async Task<IReadOnlyList<string>> DueTenantsAsync(int max, CancellationToken ct = default)
    {
        // The first unsigned entry's recorded_at says how long the head has gone unsigned.
        await using var command = dataSource.CreateCommand("""
            SELECT h.tenant_id
              FROM ledger_chain_heads h
              LEFT JOIN LATERAL (SELECT c.chain_seq FROM checkpoints c WHERE c.tenant_id = h.tenant_id
                                  ORDER BY c.chain_seq DESC LIMIT 1) c ON true
              LEFT JOIN ledger_events e ON e.tenant_id = h.tenant_id AND e.chain_seq = coalesce(c.chain_seq, 0) + 1
             WHERE h.chain_seq > coalesce(c.chain_seq, 0)
               AND (h.chain_seq - coalesce(c.chain_seq, 0) >= $1 OR e.recorded_at <= $2)
             ORDER BY h.tenant_id
             LIMIT $3
            """);
        command.Parameters.Add(new() { Value = policy.EveryEntries });
        command.Parameters.Add(new() { Value = clock.GetUtcNow() - policy.Every });
        command.Parameters.Add(new() { Value = max });
        var tenants = new List<string>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) tenants.Add(r.GetString(0));
        return tenants;
    }

    /// <summary>Signs the tenant's current head if it moved since its last checkpoint, whatever the policy says.</summary>
    public async Task<CheckpointOutcome> CheckpointAsync(string tenantId, CancellationToken ct = default)
    {
        if (Halt is { } stop) return new(tenantId, CheckpointResult.Halted, Failure: new(stop.Position, ChainFailureReason.CheckpointMismatch, stop.Detail));
        if (await history.ActiveKidAsync(ct) != key.Kid) return new(tenantId, CheckpointResult.KeyNotActive);
        if (await RewriteAsync(tenantId, ct) is { } rewritten)
        {
            signed!.Stop(new SignerHalt(tenantId, rewritten.Failure!.Position, rewritten.Failure.Detail));
            return rewritten;
        }
        var keys = await history.ReadAsync(ct);

        var last = await checkpoints.LatestStandingAsync(tenantId, ct);
        var remembered = signed?.For(tenantId) is { Count: > 0 } heads ? heads[^1] : null;
        var (headSeq, _) = await reader.HeadAsync(tenantId, ct);
        if (headSeq <= Math.Max(last?.Checkpoint.ChainSeq ?? 0, remembered?.ChainSeq ?? 0)) return new(tenantId, CheckpointResult.UpToDate);

        await AnnounceKeyAsync(tenantId, keys, ct);
        var (head, headHash) = await reader.HeadAsync(tenantId, ct);

        // Re-verify from the last checkpoint, starting from the hash it signed, not from anything stored since: the one
        // this signer remembers when it is the later (its row may be missing), else the database's. The tree root needs
        // the Merkle frontier there: this process's own from its last round, or else a walk from the first entry, which
        // must then reach the signed head with the hash it signed.
        var fromRemembered = remembered is not null && remembered.ChainSeq >= (last?.Checkpoint.ChainSeq ?? 0);
        var (startSeq, startHash) = fromRemembered
            ? (remembered!.ChainSeq, remembered.ChainHash)
            : (last?.Checkpoint.ChainSeq ?? 0, last?.Checkpoint.ChainHash ?? LedgerRecord.GenesisHash);
        var resumed = startSeq == 0 ? new MerkleTreeBuilder() : trees.Resume(tenantId, startSeq, startHash);
        var walk = resumed is not null ? new ChainWalk(startSeq + 1, startHash, tree: resumed) : ChainWalk.FromGenesis();
        if (last is not null && !fromRemembered)
            walk.AddAnchors([SignedCheckpoint.ToAnchor(last.Jws, keys, tenantId, last.Checkpoint.ChainSeq)]);
        if (fromRemembered && resumed is null)
            walk.AddAnchors([new ChainAnchor(startSeq, startHash, "the head this signer signed last")]);
        if (walk.Failure is null && await walker.WalkAsync(tenantId, walk, head, long.MaxValue, ct))
            walk.Finish(head, string.Create(CultureInfo.InvariantCulture, $"the chain head"));
        if (walk.Failure is null && !walk.Previous.AsSpan().SequenceEqual(headHash))
            return new(tenantId, CheckpointResult.ChainBroken, Failure: new(head, ChainFailureReason.BrokenLink,
                $"the walk ends at {Convert.ToHexStringLower(walk.Previous)}, the head row says {Convert.ToHexStringLower(headHash)}"));
        if (walk.Failure is not null) return new(tenantId, CheckpointResult.ChainBroken, Failure: walk.Failure);

        // Never before the key's own start, should this host's clock lag the one that registered the key.
        var issuedAt = LedgerRecord.TruncateToMicroseconds(clock.GetUtcNow());
        if (keys.Find(key.Kid)?.ValidFrom is { } validFrom && issuedAt < validFrom) issuedAt = validFrom;
        var checkpoint = SignedCheckpoint.Sign(new Checkpoint(tenantId, head, walk.Previous, issuedAt, walk.Tree!.Root()), key);
        // Remembered first: a head signed is a head vouched for, whether or not its row is stored.
        signed?.Record(new SignedHead(tenantId, head, walk.Previous));
        trees.Remember(tenantId, head, walk.Previous, walk.Tree);
        return await checkpoints.AddAsync(checkpoint, ct)
            ? new(tenantId, CheckpointResult.Signed, checkpoint)
            : new(tenantId, CheckpointResult.UpToDate);
    }

    /// <summary>
    /// The rewrite of the tenant's chain, if the chain lacks a head this signer signed. Newest first, so the usual case
    /// (the last signed head is there) is one lookup. The failure names the first signed position the chain no longer
    /// has: the chains differ there or before, after the last signed position that still matches (the signer keeps the
    /// heads it signed, not every entry, so it can narrow the first difference down to that span and no further).
    /// </summary>
    private async Task<CheckpointOutcome?> RewriteAsync(string tenantId, CancellationToken ct)
    {
        var heads = signed?.For(tenantId) ?? [];
        int agreed;
        for (agreed = heads.Count - 1; agreed >= 0; agreed--)
            if (await reader.ChainHashAtAsync(tenantId, heads[agreed].ChainSeq, ct) is { } hash && hash.AsSpan().SequenceEqual(heads[agreed].ChainHash))
                break;
        if (agreed == heads.Count - 1) return null;

        var lost = heads[agreed + 1];
        var now = await reader.ChainHashAtAsync(tenantId, lost.ChainSeq, ct);
        var since = agreed >= 0 ? heads[agreed].ChainSeq : 0;
        var detail = string.Create(CultureInfo.InvariantCulture,
            $"this signer signed chain hash {Convert.ToHexStringLower(lost.ChainHash)} at position {lost.ChainSeq}; the database has ")
            + (now is null ? "no entry there" : Convert.ToHexStringLower(now))
            + string.Create(CultureInfo.InvariantCulture, $". The chains agree up to position {since} and differ after it, at or before {lost.ChainSeq}.");
        return new(tenantId, CheckpointResult.Rewritten, Failure: new(lost.ChainSeq, ChainFailureReason.CheckpointMismatch, detail));
    }

    // The first checkpoint under a key is preceded by the rotation entry in the tenant's own chain, and any revocation
    // the chain does not record yet goes in before it too.
    private async Task AnnounceKeyAsync(string tenantId, LedgerKeySet keys, CancellationToken ct)
    {
        var reasons = keys.Keys.Any(k => k.RevokedAt is not null) ? await history.RevocationReasonsAsync(ct) : new Dictionary<string, string>();
        var appended = await SigningKeyRotation.RecordAsync(store, tenantId, keys, key.Kid, reasons, clock.GetUtcNow(), ct);
        // The entry enters the chain when the sealer reaches it; unsealed, it is covered by the next checkpoint.
        if (appended is { } position && sealing is not null) await sealing.WaitForAsync(position, RotationSealWait, ct);
    }
}
