using System.Globalization;
using System.Security.Cryptography;
using Ledger.EventStore.Keys;
using System.Text;
using Ledger.Domain.Invoicing;

namespace Ledger.Application.Invoicing.Stamping;

/// <summary>
/// Signs contingency seals with an ECDSA P-256 key of the tenant's installation (configured, or generated when none
/// is). The signed text names the document and its amounts line by line (docs/invoicing.md, "Contingency seals");
/// the signature is ES256 in IEEE P1363 form (r ‖ s), base64. Each seal carries the public key, so it verifies
/// without access to Ledger; <see cref="KeyId"/> (the first 16 hex digits of the SHA-256 of the public key) tells
/// which installation key made it.
/// </summary>
public sealed class ContingencySigner : IDisposable
{
    public const string Algorithm = "ES256";

    private readonly ECDsa key;

    private ContingencySigner(ECDsa key)
    {
        this.key = key;
        var spki = key.ExportSubjectPublicKeyInfo();
        PublicKey = Convert.ToBase64String(spki);
        KeyId = Convert.ToHexStringLower(SHA256.HashData(spki))[..16];
    }

    public string KeyId { get; }

    /// <summary>SubjectPublicKeyInfo (DER), base64.</summary>
    public string PublicKey { get; }

    public static ContingencySigner Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>From a PKCS#8 or SEC1 PEM private key on the P-256 curve.</summary>
    public static ContingencySigner FromPem(string pem)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(pem);
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new ArgumentException("A contingency key must be an ECDSA key on the P-256 curve.", nameof(pem));
        }
        return new ContingencySigner(key);
    }

    /// <summary>The key in a file, owner-only and decrypted under <paramref name="protection"/> (<see cref="PrivateKeyFile"/>).</summary>
    public static ContingencySigner FromFile(string path, KeyProtection protection)
    {
        var key = ECDsa.Create();
        try
        {
            PrivateKeyFile.Import(key, path, protection);
        }
        catch
        {
            key.Dispose();
            throw;
        }
        if (key.KeySize == 256) return new ContingencySigner(key);
        key.Dispose();
        throw new ArgumentException("A contingency key must be an ECDSA key on the P-256 curve.", nameof(path));
    }

    /// <summary>Writes the key to a new file, owner-only, encrypted under <paramref name="protection"/>'s passphrase if it has one.</summary>
    public void WriteTo(string path, KeyProtection protection) => PrivateKeyFile.Write(path, key, protection);

    public string ExportPrivateKeyPem() => key.ExportPkcs8PrivateKeyPem();

    public ContingencySeal Seal(string tenantId, InvoiceFacts invoice, DateTimeOffset at)
    {
        var text = SignedText(tenantId, invoice, at);
        var signature = key.SignData(Encoding.UTF8.GetBytes(text), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return new ContingencySeal(KeyId, Algorithm, PublicKey, text, Convert.ToBase64String(signature), at);
    }

    /// <summary>What a seal signs: a versioned header, then one <c>name=value</c> per line.</summary>
    public static string SignedText(string tenantId, InvoiceFacts invoice, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        return string.Join('\n',
            "ledger.contingency-seal.v1",
            "tenant=" + tenantId,
            "document=" + invoice.InvoiceId.ToString("D"),
            "number=" + invoice.Number.Text,
            "issue_date=" + invoice.IssueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            "customer_tax_id=" + (invoice.Customer.TaxId?.Value ?? ""),
            "currency=" + invoice.Currency,
            "tax=" + invoice.Totals.Tax.ToString(CultureInfo.InvariantCulture),
            "total=" + invoice.Totals.Total.ToString(CultureInfo.InvariantCulture),
            "signed_at=" + at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
    }

    /// <summary>Whether the seal's signature is valid for its signed text under the public key it carries.</summary>
    public static bool Verify(ContingencySeal seal)
    {
        ArgumentNullException.ThrowIfNull(seal);
        using var publicKey = ECDsa.Create();
        publicKey.ImportSubjectPublicKeyInfo(Convert.FromBase64String(seal.PublicKey), out _);
        return publicKey.VerifyData(Encoding.UTF8.GetBytes(seal.SignedText), Convert.FromBase64String(seal.Signature),
            HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    public void Dispose() => key.Dispose();
}
