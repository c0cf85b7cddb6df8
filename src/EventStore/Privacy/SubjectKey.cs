using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Ledger.EventStore.Privacy;

/// <summary>
/// The key of one data subject (a person, known to Ledger by a pseudonymous id such as a customer id) in one tenant, in
/// its <paramref name="Generation"/>: a subject erased and then seen again gets a new generation and a new key. Every
/// personal field about the subject is sealed under it before it is appended (<see cref="Seal"/>); destroying the key
/// (erasure) leaves the ciphertext in the events, the chain and every export unchanged and unreadable.
/// </summary>
public sealed record SubjectKey(string TenantId, string SubjectId, int Generation, byte[] Key)
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] Purpose = "ledger.personal-data.v1"u8.ToArray();

    /// <summary>A fresh random key for <paramref name="subjectId"/>.</summary>
    public static SubjectKey Create(string tenantId, string subjectId, int generation) =>
        new(tenantId, subjectId, generation, RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// <paramref name="value"/> sealed with AES-256-GCM as <c>base64url(nonce ‖ ciphertext ‖ tag)</c>, bound to this
    /// tenant, subject, key generation and <paramref name="field"/> (the associated data, docs/privacy.md): a sealed
    /// value moved to another field, person or tenant does not open.
    /// </summary>
    public string Seal(string field, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var plain = Encoding.UTF8.GetBytes(value);
        var sealedBytes = new byte[NonceSize + plain.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(Key, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length), AssociatedData(field));
        return Base64Url.EncodeToString(sealedBytes);
    }

    /// <summary>The value <see cref="Seal"/> sealed for <paramref name="field"/>.</summary>
    /// <exception cref="CryptographicException">the value was not sealed under this key for this field, or was altered.</exception>
    public string Open(string field, string sealedValue)
    {
        ArgumentNullException.ThrowIfNull(sealedValue);
        byte[] sealedBytes;
        try
        {
            sealedBytes = Base64Url.DecodeFromChars(sealedValue);
        }
        catch (FormatException e)
        {
            throw new CryptographicException("A sealed personal field is not base64url.", e);
        }
        if (sealedBytes.Length < NonceSize + TagSize) throw new CryptographicException("A sealed personal field is too short.");
        var length = sealedBytes.Length - NonceSize - TagSize;
        var plain = new byte[length];
        using var aes = new AesGcm(Key, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, length), sealedBytes.AsSpan(NonceSize + length), plain, AssociatedData(field));
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>Each part length-prefixed (two bytes, big-endian) so no two different bindings share bytes.</summary>
    private byte[] AssociatedData(string field) =>
        Framed(Purpose, Encoding.UTF8.GetBytes(TenantId), Encoding.UTF8.GetBytes(SubjectId),
            Encoding.ASCII.GetBytes(Generation.ToString(System.Globalization.CultureInfo.InvariantCulture)), Encoding.UTF8.GetBytes(field));

    internal static byte[] Framed(params byte[][] parts)
    {
        var buffer = new byte[parts.Sum(p => 2 + p.Length)];
        var at = 0;
        foreach (var part in parts)
        {
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(at), checked((ushort)part.Length));
            part.CopyTo(buffer, at + 2);
            at += 2 + part.Length;
        }
        return buffer;
    }

    /// <summary>Never the key itself, should a record ever be logged.</summary>
    public override string ToString() => $"SubjectKey {TenantId}/{SubjectId}#{Generation}";
}
