using System.Text.Json;

namespace Ledger.EventStore.Checkpoints;

/// <summary>
/// What the checkpoint signer signed, kept outside the database, beside its key: one JSON line per checkpoint (tenant,
/// chain position, chain hash), appended and flushed to disk before the checkpoint is stored. A database owner can
/// rewrite a tenant's chain and delete its checkpoint rows, but not this file: the signer signs a new head only if the
/// chain still has, at every position it signed, the hash it signed (<see cref="Checkpointer"/>).
/// </summary>
/// <remarks>
/// Once the signer finds a chain that lacks a head it signed, it writes that finding here too (<see cref="Halt"/>) and
/// signs nothing more, after a restart as well, until an operator has dealt with it: restored the database, or —
/// having decided the chain as it is must be vouched for — moved this file aside.
/// <para>
/// The file only grows (a few dozen bytes per checkpoint: with the defaults, one per tenant per 30 s of writes at
/// most). It is readable and writable by its owner only. One signer at a time writes it (the Host's lease); the lock
/// here orders the writes of one process.
/// </para>
/// </remarks>
public sealed class SignedHeads
{
    private readonly string path;
    private readonly Lock gate = new();
    private readonly Dictionary<string, List<SignedHead>> byTenant = new(StringComparer.Ordinal);
    private SignerHalt? halt;

    private SignedHeads(string path) => this.path = path;

    public string Path => path;

    /// <summary>The rewrite that stopped the signer, if it found one.</summary>
    public SignerHalt? Halt
    {
        get
        {
            lock (gate) return halt;
        }
    }

    /// <summary>Reads the file at <paramref name="path"/> (none yet: nothing signed), creating its folder if needed.</summary>
    /// <exception cref="InvalidDataException">a line is not a signed head: the file is not what this signer wrote.</exception>
    public static SignedHeads Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var heads = new SignedHeads(System.IO.Path.GetFullPath(path));
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(heads.path)!);
        heads.Refresh();
        return heads;
    }

    /// <summary>
    /// Reads the file again: what other hosts sharing it signed since (a signer taking over the lease calls this first).
    /// </summary>
    /// <exception cref="InvalidDataException">a line is not a signed head.</exception>
    public void Refresh()
    {
        var read = new Dictionary<string, List<SignedHead>>(StringComparer.Ordinal);
        SignerHalt? stop = null;
        if (File.Exists(path))
        {
            var number = 0;
            foreach (var line in File.ReadLines(path))
            {
                number++;
                if (line.Length == 0) continue;
                switch (Parse(line))
                {
                    case SignedHead head: Remember(read, head); break;
                    case SignerHalt finding: stop ??= finding; break;
                    default: throw new InvalidDataException($"{path}, line {number}: not a signed head");
                }
            }
        }
        lock (gate)
        {
            byTenant.Clear();
            foreach (var (tenant, heads) in read) byTenant[tenant] = heads;
            halt = stop ?? halt;
        }
    }

    /// <summary>The heads signed for the tenant, in chain order (empty when none).</summary>
    public IReadOnlyList<SignedHead> For(string tenantId)
    {
        lock (gate) return byTenant.TryGetValue(tenantId, out var heads) ? [.. heads] : [];
    }

    /// <summary>Appends the head and flushes it to disk: once this returns, the signer remembers it whatever the database says.</summary>
    public void Record(SignedHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        lock (gate)
        {
            Append(new Line(head.TenantId, head.ChainSeq, Convert.ToHexStringLower(head.ChainHash), null));
            Remember(byTenant, head);
        }
    }

    /// <summary>Records that the signer stopped (the first finding stands), so that it stays stopped after a restart.</summary>
    public void Stop(SignerHalt finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        lock (gate)
        {
            if (halt is not null) return;
            Append(new Line(finding.TenantId, finding.Position, null, finding.Detail));
            halt = finding;
        }
    }

    private void Append(Line line)
    {
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Options = FileOptions.WriteThrough };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var file = new FileStream(path, options);
        file.Write(System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(line, LineJson) + "\n"));
        file.Flush(flushToDisk: true);
    }

    private static void Remember(Dictionary<string, List<SignedHead>> byTenant, SignedHead head)
    {
        if (!byTenant.TryGetValue(head.TenantId, out var heads)) byTenant[head.TenantId] = heads = [];
        if (heads.Count == 0 || heads[^1].ChainSeq < head.ChainSeq) heads.Add(head);
    }

    private static object? Parse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize<Line>(line, LineJson) switch
            {
                { TenantId.Length: > 0, ChainSeq: > 0, ChainHash.Length: 64, Halted: null } read =>
                    new SignedHead(read.TenantId, read.ChainSeq, Convert.FromHexString(read.ChainHash)),
                { TenantId.Length: > 0, ChainSeq: > 0, ChainHash: null, Halted: { } detail } read => new SignerHalt(read.TenantId, read.ChainSeq, detail),
                _ => null,
            };
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return null;
        }
    }

    private static readonly JsonSerializerOptions LineJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    // A signed head: tenant_id, chain_seq, chain_hash (hex). The signer's stop: tenant_id, chain_seq (the first signed
    // position the chain lost) and halted (what it found).
    private sealed record Line(string TenantId, long ChainSeq, string? ChainHash, string? Halted);
}

/// <summary>Why the signer stopped: the tenant's chain lacks the head it signed at <paramref name="Position"/>.</summary>
public sealed record SignerHalt(string TenantId, long Position, string Detail);

/// <summary>A chain head the signer signed: the tenant's chain had <paramref name="ChainHash"/> at <paramref name="ChainSeq"/>.</summary>
public sealed record SignedHead(string TenantId, long ChainSeq, byte[] ChainHash);
