using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;

namespace Ledger.EventStore.Witnesses;

/// <summary>What a Ledger checkpoint note says (docs/ledger-format.md §14): origin, tree size and root, and the two extension lines.</summary>
public sealed record CheckpointNoteBody(string Origin, long TreeSize, byte[] TreeRoot, byte[] ChainHash, DateTimeOffset IssuedAt)
{
    /// <summary>
    /// The signed text (C2SP tlog-checkpoint): <c>origin\nsize\nbase64(root)\n</c>, then Ledger's extension lines
    /// <c>ledger-chain-hash &lt;hex&gt;\n</c> and <c>ledger-issued-at &lt;timestamp&gt;\n</c>.
    /// </summary>
    public string Text() => string.Create(CultureInfo.InvariantCulture,
        $"{Origin}\n{TreeSize}\n{Convert.ToBase64String(TreeRoot)}\n{CheckpointNote.ChainHashLine} {Convert.ToHexStringLower(ChainHash)}\n{CheckpointNote.IssuedAtLine} {LedgerRecord.FormatTimestamp(IssuedAt)}\n");
}

/// <summary>One signature line of a note: <c>— &lt;name&gt; base64(key id ‖ signature)</c>.</summary>
public sealed record NoteSignature(string Name, uint KeyId, byte[] Signature);

/// <summary>A note as read: the signed text, what it says, and every signature line (Ledger's and any witness's cosignatures).</summary>
public sealed record CheckpointNoteText(string SignedText, CheckpointNoteBody Body, IReadOnlyList<NoteSignature> Signatures);

/// <summary>A note that verified (with the key that signed it), or why it did not.</summary>
public sealed record NoteVerification(CheckpointNoteText? Note, LedgerPublicKey? Key, string? Error)
{
    public bool Succeeded => Error is null;
}

/// <summary>
/// A checkpoint as a C2SP signed note (c2sp.org/tlog-checkpoint over c2sp.org/signed-note), so transparency-log
/// witnesses can check and cosign it. The signature is type 0x02, ECDSA P-256 over SHA-256, exactly as
/// transparency-dev/formats implements it for logs such as Sigstore's Rekor (note/note_verifier.go, NewECDSAVerifier,
/// commit 0b850f1): the key id is the first 4 bytes (big-endian) of SHA-256 of the public key's DER
/// SubjectPublicKeyInfo (keyHashECDSA — not the name-and-type hash of Ed25519 keys); the signature is ASN.1 DER
/// (ecdsa.VerifyASN1) over SHA-256 of the signed text; the verifier key string is
/// <c>&lt;name&gt;+&lt;key id hex&gt;+base64(0x02 ‖ SPKI DER)</c>. The same key signs the checkpoint's JWS.
/// </summary>
public static class CheckpointNote
{
    public const string ChainHashLine = "ledger-chain-hash";
    public const string IssuedAtLine = "ledger-issued-at";
    public const byte EcdsaSha256Type = 0x02;
    private const string SignatureLinePrefix = "\u2014 "; // an em dash and a space

    /// <summary>The origin of a tenant's log: <c>Ledger:Checkpoints:Origin</c> (the key name) + "/" + tenant id.</summary>
    public static string Origin(string keyName, string tenantId) => keyName + "/" + tenantId;

    /// <summary>The complete note: the text, a blank line, Ledger's signature line.</summary>
    public static string Sign(CheckpointNoteBody body, string keyName, CheckpointKey key)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(key);
        if (!IsKeyName(keyName)) throw new ArgumentException($"'{keyName}' cannot name a note key (non-empty, no spaces or '+').", nameof(keyName));
        var text = body.Text();
        var der = DerSignature(key.Sign(Encoding.UTF8.GetBytes(text)));
        var signature = new byte[4 + der.Length];
        BinaryPrimitives.WriteUInt32BigEndian(signature, KeyId(key.X, key.Y));
        der.CopyTo(signature, 4);
        return text + "\n" + SignatureLinePrefix + keyName + " " + Convert.ToBase64String(signature) + "\n";
    }

    /// <summary>The 4-byte key id of a P-256 public key (JWK x, y): SHA-256(SPKI DER)[0..4], big-endian.</summary>
    public static uint KeyId(string x, string y) => KeyId(SubjectPublicKeyInfo(x, y));

    /// <summary>The key id of any public key given as its DER SubjectPublicKeyInfo (transparency-dev's keyHashECDSA).</summary>
    public static uint KeyId(ReadOnlySpan<byte> subjectPublicKeyInfo) => BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(subjectPublicKeyInfo));

    /// <summary>The verifier key string transparency-dev tools take (e.g. a witness's log configuration).</summary>
    public static string VerifierKey(string keyName, string x, string y) =>
        string.Create(CultureInfo.InvariantCulture, $"{keyName}+{KeyId(x, y):x8}+{Convert.ToBase64String([EcdsaSha256Type, .. SubjectPublicKeyInfo(x, y)])}");

    /// <summary>
    /// Reads a note strictly: text, one blank line, one or more signature lines, each line LF-terminated; the text is
    /// exactly origin, size, root and Ledger's two extension lines in that order (a line more or less is malformed).
    /// </summary>
    /// <exception cref="FormatException">not a Ledger checkpoint note.</exception>
    public static CheckpointNoteText Parse(string note)
    {
        var (text, signatures) = Split(note);
        var lines = text[..^1].Split('\n');
        if (lines.Length != 5) throw new FormatException($"a Ledger checkpoint note's text has 5 lines (origin, size, root, chain hash, issued at), not {lines.Length}");
        if (lines[0].Length == 0) throw new FormatException("the origin line is empty");
        if (!long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size.ToString(CultureInfo.InvariantCulture) != lines[1])
            throw new FormatException($"the tree size '{lines[1]}' is not a decimal number without leading zeros");
        var root = Base64Exact(lines[2], "the tree root");
        var chainHash = ChainEntryJson.Hex32(Extension(lines[3], ChainHashLine), ChainHashLine);
        var issuedAt = LedgerKeySet.ParseTimestamp(Extension(lines[4], IssuedAtLine), IssuedAtLine);
        return new CheckpointNoteText(text, new CheckpointNoteBody(lines[0], size, root, chainHash, issuedAt), signatures);
    }

    /// <summary>
    /// Any signed note (c2sp.org/signed-note): the signed text (through its last newline) and its signature lines, after
    /// exactly one blank line; at least one signature; every line LF-terminated.
    /// </summary>
    /// <exception cref="FormatException">not a signed note.</exception>
    public static (string Text, IReadOnlyList<NoteSignature> Signatures) Split(string note)
    {
        ArgumentNullException.ThrowIfNull(note);
        var split = note.IndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0 || !note.EndsWith('\n') || split + 2 >= note.Length)
            throw new FormatException("a note is its text, a blank line and signature lines, each ending in a newline");
        var signatures = new List<NoteSignature>();
        foreach (var line in note[(split + 2)..^1].Split('\n'))
        {
            if (!line.StartsWith(SignatureLinePrefix, StringComparison.Ordinal)) throw new FormatException($"'{line}' is not a signature line");
            var parts = line[SignatureLinePrefix.Length..].Split(' ');
            if (parts.Length != 2 || !IsKeyName(parts[0])) throw new FormatException($"'{line}' is not '— <name> <base64>'");
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(parts[1]);
            }
            catch (FormatException)
            {
                throw new FormatException($"the signature of {parts[0]} is not base64");
            }
            if (bytes.Length < 5) throw new FormatException($"the signature of {parts[0]} is too short");
            signatures.Add(new NoteSignature(parts[0], BinaryPrimitives.ReadUInt32BigEndian(bytes), bytes[4..]));
        }
        return (note[..(split + 1)], signatures);
    }

    /// <summary>
    /// Verifies a note as Ledger signs them: read strictly; a signature line named <paramref name="keyName"/> by a key of
    /// <paramref name="keys"/> (matched by key id) must verify over the text, and the key must have been valid at the
    /// note's <c>ledger-issued-at</c>; the origin must be <paramref name="keyName"/>/<paramref name="tenantId"/>. Other
    /// signature lines (witnesses' cosignatures) are ignored, as signed-note says. A key revoked at or before that time
    /// vouches for nothing (docs/ledger-format.md §7). Never throws for a bad note.
    /// </summary>
    public static NoteVerification Verify(string note, LedgerKeySet keys, string keyName, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(keys);
        CheckpointNoteText parsed;
        try
        {
            parsed = Parse(note);
        }
        catch (FormatException e)
        {
            return new(null, null, "the note is malformed: " + e.Message);
        }
        if (parsed.Body.Origin != Origin(keyName, tenantId))
            return new(parsed, null, $"its origin {parsed.Body.Origin} is not {Origin(keyName, tenantId)}");
        var data = Encoding.UTF8.GetBytes(parsed.SignedText);
        string? failure = null;
        foreach (var signature in parsed.Signatures.Where(s => s.Name == keyName))
        {
            var key = keys.Keys.FirstOrDefault(k => KeyId(k.X, k.Y) == signature.KeyId);
            if (key is null)
            {
                failure ??= string.Create(CultureInfo.InvariantCulture, $"no key in the key set has key id {signature.KeyId:x8}");
                continue;
            }
            if (!VerifyDer(key, data, signature.Signature))
            {
                failure = $"the signature does not verify with key {key.Kid}";
                continue;
            }
            // As for the JWS: within the key's validity, and before its revocation if it was revoked.
            return new(parsed, key, key.Refusal(parsed.Body.IssuedAt));
        }
        return new(parsed, null, failure ?? $"it has no signature by {keyName}");
    }

    private static bool VerifyDer(LedgerPublicKey key, byte[] data, byte[] der)
    {
        try
        {
            using var ecdsa = PublicKey(key.X, key.Y);
            return ecdsa.VerifyData(data, der, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return false;
        }
    }

    private static byte[] SubjectPublicKeyInfo(string x, string y)
    {
        using var ecdsa = PublicKey(x, y);
        return ecdsa.ExportSubjectPublicKeyInfo();
    }

    private static ECDsa PublicKey(string x, string y) => ECDsa.Create(new ECParameters
    {
        Curve = ECCurve.NamedCurves.nistP256,
        Q = new ECPoint { X = Base64Url.DecodeFromChars(x), Y = Base64Url.DecodeFromChars(y) },
    });

    // The checkpoint key signs ES256 as R ‖ S (RFC 7518); a note carries the same signature as an ASN.1 DER SEQUENCE.
    private static byte[] DerSignature(byte[] p1363)
    {
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteIntegerUnsigned(Minimal(p1363.AsSpan(0, 32)));
            writer.WriteIntegerUnsigned(Minimal(p1363.AsSpan(32, 32)));
        }
        return writer.Encode();
    }

    // DER integers have no redundant leading zero bytes (R or S below 2^248 has one in its fixed 32-byte field).
    private static ReadOnlySpan<byte> Minimal(ReadOnlySpan<byte> value)
    {
        var start = 0;
        while (start < value.Length - 1 && value[start] == 0) start++;
        return value[start..];
    }

    private static string Extension(string line, string name) =>
        line.StartsWith(name + " ", StringComparison.Ordinal) ? line[(name.Length + 1)..] : throw new FormatException($"expected the extension line '{name} …', found '{line}'");

    private static byte[] Base64Exact(string text, string what)
    {
        try
        {
            var bytes = Convert.FromBase64String(text);
            if (bytes.Length != 32 || Convert.ToBase64String(bytes) != text) throw new FormatException();
            return bytes;
        }
        catch (FormatException)
        {
            throw new FormatException($"{what} '{text}' is not 32 bytes in standard base64");
        }
    }

    private static bool IsKeyName(string name) => name.Length > 0 && !name.Any(c => char.IsWhiteSpace(c) || c == '+');
}
