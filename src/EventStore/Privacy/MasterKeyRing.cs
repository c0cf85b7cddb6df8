using System.Security.Cryptography;
using System.Text;

namespace Ledger.EventStore.Privacy;

/// <summary>
/// The master keys that wrap subject keys at rest (AES-256-GCM, bound to the tenant and subject): the
/// <see cref="Current"/> one wraps, every one of them unwraps. Rotation without downtime: give every host the new key as
/// current and the old one as retired, re-wrap (<c>ledger privacy rewrap</c>), then drop the old one. Events are never
/// touched: they hold data sealed under subject keys, which rotation does not change.
/// </summary>
public sealed class MasterKeyRing
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] Purpose = "ledger.subject-key.v1"u8.ToArray();
    private readonly Dictionary<string, byte[]> byKid;

    /// <exception cref="ArgumentException">a key is not 32 bytes.</exception>
    public MasterKeyRing(byte[] current, IEnumerable<byte[]>? retired = null)
    {
        ArgumentNullException.ThrowIfNull(current);
        byKid = [];
        foreach (var key in (retired ?? []).Prepend(current))
        {
            if (key.Length != 32) throw new ArgumentException("A master key is 32 bytes (AES-256).");
            byKid[KidOf(key)] = key;
        }
        CurrentKid = KidOf(current);
    }

    /// <summary>The id of the key new subject keys are wrapped under: it names the key, and gives nothing of it away.</summary>
    public string CurrentKid { get; }

    public IReadOnlyCollection<string> Kids => byKid.Keys;

    /// <summary>The first 8 bytes of SHA-256 over a label and the key, in hex.</summary>
    public static string KidOf(byte[] key) =>
        Convert.ToHexStringLower(SHA256.HashData([.. "ledger.master-key-id"u8, .. key]).AsSpan(0, 8));

    /// <summary>A new random master key, as configuration holds it (base64).</summary>
    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The key's bytes from its configured form (base64 of 32 bytes).</summary>
    /// <exception cref="FormatException">not base64 of 32 bytes.</exception>
    public static byte[] Parse(string configured, string source)
    {
        ArgumentNullException.ThrowIfNull(configured);
        byte[] key;
        try
        {
            key = Convert.FromBase64String(configured.Trim());
        }
        catch (FormatException e)
        {
            throw new FormatException($"The master key in {source} is not base64.", e);
        }
        return key.Length == 32 ? key : throw new FormatException($"The master key in {source} is {key.Length} bytes, not 32 (AES-256).");
    }

    public (string Kid, byte[] Wrapped) Wrap(SubjectKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var wrapped = new byte[NonceSize + key.Key.Length + TagSize];
        var nonce = wrapped.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(byKid[CurrentKid], TagSize);
        aes.Encrypt(nonce, key.Key, wrapped.AsSpan(NonceSize, key.Key.Length), wrapped.AsSpan(NonceSize + key.Key.Length), Binding(key.TenantId, key.SubjectId));
        return (CurrentKid, wrapped);
    }

    /// <exception cref="MasterKeyMissingException">the key was wrapped under a master key this ring does not hold.</exception>
    /// <exception cref="CryptographicException">the wrapped key was altered or belongs to another subject.</exception>
    public SubjectKey Unwrap(string tenantId, string subjectId, int generation, string kid, byte[] wrapped)
    {
        ArgumentNullException.ThrowIfNull(wrapped);
        if (!byKid.TryGetValue(kid, out var master)) throw new MasterKeyMissingException(kid);
        if (wrapped.Length != NonceSize + 32 + TagSize) throw new CryptographicException("A wrapped subject key has the wrong length.");
        var key = new byte[32];
        using var aes = new AesGcm(master, TagSize);
        aes.Decrypt(wrapped.AsSpan(0, NonceSize), wrapped.AsSpan(NonceSize, 32), wrapped.AsSpan(NonceSize + 32), key, Binding(tenantId, subjectId));
        return new SubjectKey(tenantId, subjectId, generation, key);
    }

    // The generation is left out: the database numbers it as it stores the key (SubjectKeys.ForSealingAsync).
    private static byte[] Binding(string tenantId, string subjectId) =>
        SubjectKey.Framed(Purpose, Encoding.UTF8.GetBytes(tenantId), Encoding.UTF8.GetBytes(subjectId));
}

/// <summary>A subject key was wrapped under a master key the configuration no longer names (retired too early).</summary>
public sealed class MasterKeyMissingException(string kid)
    : InvalidOperationException($"A subject key is wrapped under master key {kid}, which is not configured: add it to Ledger:Privacy:RetiredMasterKeys and run `ledger privacy rewrap`.")
{
    public string Kid { get; } = kid;
}
