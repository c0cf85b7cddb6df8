using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Ledger.Host.Auth;

/// <summary>
/// The RSA keys tokens are validated (and, in development, signed) with. The key id is derived from the public
/// key itself, so a rotated key gets a new id without anyone choosing one.
/// </summary>
public sealed class LedgerSigningKeys : IDisposable
{
    private readonly RSA _public;
    private readonly RSA? _private;

    public LedgerSigningKeys(RSA publicKey, RSA? privateKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        if (publicKey.KeySize < 2048) throw new InvalidOperationException("Token signing keys must be RSA 2048 bits or more.");
        _public = publicKey;
        _private = privateKey;
        KeyId = KeyIdOf(publicKey);
        // Each key gets a provider cache of its own: the shared default cache is keyed by the key's thumbprint, so after
        // one Host disposed these RSA objects another Host of the same key (tests run several) would be handed a
        // signature provider over a disposed key and refuse its first token.
        ValidationKey = new RsaSecurityKey(publicKey) { KeyId = KeyId, CryptoProviderFactory = new CryptoProviderFactory() };
        SigningKey = privateKey is null ? null : new RsaSecurityKey(privateKey) { KeyId = KeyId, CryptoProviderFactory = new CryptoProviderFactory() };
    }

    public string KeyId { get; }

    public RsaSecurityKey ValidationKey { get; }

    /// <summary>The private key, when this process holds one (development); null when it only validates.</summary>
    public RsaSecurityKey? SigningKey { get; }

    /// <summary>base64url of the first 16 bytes of SHA-256 over the DER SubjectPublicKeyInfo.</summary>
    public static string KeyIdOf(RSA key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var digest = SHA256.HashData(key.ExportSubjectPublicKeyInfo());
        return Base64Url.EncodeToString(digest.AsSpan(0, 16));
    }

    public void Dispose()
    {
        _public.Dispose();
        _private?.Dispose();
    }
}
