using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Ledger.EventStore.Checkpoints;

/// <summary>
/// The ECDSA P-256 private key that signs checkpoints and export manifests (ES256). Its key id is the RFC 7638
/// JWK thumbprint of the public key, so anyone holding the public key can check that the id belongs to it, and a
/// rotated key gets a new id without anyone choosing one.
/// </summary>
public sealed class CheckpointKey : IDisposable
{
    private const string P256Oid = "1.2.840.10045.3.1.7";
    private readonly ECDsa key;

    private CheckpointKey(ECDsa key)
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        if (parameters.Curve.Oid?.Value != P256Oid && parameters.Curve.Oid?.FriendlyName is not ("nistP256" or "ECDSA_P256" or "prime256v1"))
            throw new CryptographicException("A checkpoint signing key must be an ECDSA key on curve P-256.");
        this.key = key;
        X = Base64Url.EncodeToString(parameters.Q.X);
        Y = Base64Url.EncodeToString(parameters.Q.Y);
        Kid = Thumbprint(X, Y);
    }

    public string Kid { get; }

    /// <summary>The public point's coordinates, base64url (JWK <c>x</c> and <c>y</c>).</summary>
    public string X { get; }

    public string Y { get; }

    public static CheckpointKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>A PKCS#8 (<c>PRIVATE KEY</c>) or SEC 1 (<c>EC PRIVATE KEY</c>) PEM.</summary>
    public static CheckpointKey FromPem(string pem)
    {
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
            return new CheckpointKey(ecdsa);
        }
        catch
        {
            ecdsa.Dispose();
            throw;
        }
    }

    /// <summary>The key in a file, owner-only and decrypted under <paramref name="protection"/> (<see cref="Keys.PrivateKeyFile"/>).</summary>
    public static CheckpointKey FromFile(string path, Keys.KeyProtection protection)
    {
        var ecdsa = ECDsa.Create();
        try
        {
            Keys.PrivateKeyFile.Import(ecdsa, path, protection);
            return new CheckpointKey(ecdsa);
        }
        catch
        {
            ecdsa.Dispose();
            throw;
        }
    }

    /// <summary>Writes the key to a file, owner-only, encrypted under <paramref name="protection"/>'s passphrase if it has one.</summary>
    public void WriteTo(string path, Keys.KeyProtection protection, bool replace = false) => Keys.PrivateKeyFile.Write(path, key, protection, replace);

    public string ToPem() => key.ExportPkcs8PrivateKeyPem();

    /// <summary>ES256: ECDSA over SHA-256, the signature as the 64 bytes R ‖ S (RFC 7518 §3.4).</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) =>
        key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>RFC 7638: base64url(SHA-256 of <c>{"crv":"P-256","kty":"EC","x":"…","y":"…"}</c>).</summary>
    public static string Thumbprint(string x, string y) =>
        Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes($$"""{"crv":"P-256","kty":"EC","x":"{{x}}","y":"{{y}}"}""")));

    public void Dispose() => key.Dispose();
}
