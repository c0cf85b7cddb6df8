namespace Ledger.Host.Auditing;

// The folder is src/Host/Ledger; the namespace is Ledger.Host.Auditing because a namespace Ledger.Host.Ledger would
// shadow the root namespace Ledger for every file under Ledger.Host.

/// <summary><c>Ledger:Checkpoints</c>: when tenants' chain heads are signed, and with which key.</summary>
public sealed class CheckpointOptions
{
    public const string Section = "Ledger:Checkpoints";
    public const string DefaultKeyPath = "keys/checkpoint-key.pem";

    /// <summary>Run the checkpoint signer in this process (one process at a time signs; the others stand by).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Sign a tenant's head once this many entries are unsigned…</summary>
    public long EveryEntries { get; set; } = 1000;

    /// <summary>
    /// …or once its oldest unsigned entry is this many seconds old. With <see cref="PollSeconds"/> it bounds how long an
    /// auditor waits for a checkpoint covering a new entry: at most their sum (35 s), well under a minute.
    /// </summary>
    public double EverySeconds { get; set; } = 30;

    /// <summary>How often the signer looks for due tenants.</summary>
    public double PollSeconds { get; set; } = 5;

    /// <summary>
    /// PKCS#8 PEM of the ECDSA P-256 signing key; a relative path is under <c>Ledger:DataDirectory</c>, never the current
    /// directory, so the Host and the CLI find the same key. Generated when missing in development or at the default path.
    /// </summary>
    public string KeyPath { get; set; } = DefaultKeyPath;

    /// <summary>The key's PEM itself, from a secret store or the environment; wins over <see cref="KeyPath"/>.</summary>
    public string? PrivateKeyPem { get; set; }

    /// <summary>
    /// The signer's own record of what it signed (<c>SignedHeads</c>), outside the database: by default beside the key
    /// file (<c>{KeyPath}.signed.jsonl</c>), or <c>keys/checkpoint-signed-heads.jsonl</c> when the key comes as PEM text;
    /// relative paths are under <c>Ledger:DataDirectory</c>. Keep it where the key is kept, out of the database owner's reach.
    /// </summary>
    public string? SignedHeadsPath { get; set; }

    /// <summary>
    /// The name checkpoints go by as C2SP signed notes (docs/ledger-format.md §14): the note key's name, and with
    /// "/" + tenant id each tenant's log origin. Give each Ledger installation its own (e.g. its host name).
    /// </summary>
    public string Origin { get; set; } = "ledger.local";
}

/// <summary><c>Ledger:Auditor</c>: the bounds of the auditor API.</summary>
public sealed class AuditorOptions
{
    public const string Section = "Ledger:Auditor";

    /// <summary>Entries or checkpoints per page when the request names no limit.</summary>
    public int DefaultPageSize { get; set; } = 100;

    /// <summary>How long <c>GET /api/ledger/sealed</c> waits for a position before answering 503 <c>ledger.not_sealed</c>.</summary>
    public double SealWaitSeconds { get; set; } = 5;

    /// <summary>The most entries or checkpoints one page may hold.</summary>
    public int MaxPageSize { get; set; } = 1000;

    /// <summary>How many entries one call of <c>GET /api/ledger/verify</c> walks before answering with a cursor.</summary>
    public int VerifyEntriesPerRequest { get; set; } = 50_000;

    /// <summary>The most entries an export over HTTP may hold (<c>ledger export</c> has no limit).</summary>
    public long MaxExportEntries { get; set; } = 1_000_000;
}
