using System.Security.Cryptography;
using System.Text;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Witnesses;

namespace Ledger.EventStore.Tests.Witnesses;

/// <summary>
/// The C2SP signed-note form of a checkpoint (docs/ledger-format.md §14). The fixed note below was made outside this
/// code base (Python's cryptography package: SPKI DER, SHA-256 key id, DER ECDSA signature, as transparency-dev/formats
/// specifies type 0x02), so it checks the encoding, not merely that this code agrees with itself.
/// </summary>
public sealed class CheckpointNoteTests
{
    private const string Pem = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgcpJgiMgVk1ufW0f/
        LbIgo+XaFOl4EQ/gtnVGCloOYi2hRANCAATf/ux4U75c5OHuinBRAOVTAXJK4ANh
        FZdCntzKE/uujRlXScmIDViz68a5cf7+r6nPHgKfFJTwBeiYG17G8Rcz
        -----END PRIVATE KEY-----
        """;

    private const string Text = "ledger.local/acme\n1\nM8Ym7yTKt4UxF5lBT2frMICGgrEQjptfXsJLDWC9UzI=\n"
        + "ledger-chain-hash afd6e1ac19b423a423f246a41d54ee72da4848772fe03ad3908e1b1d6b6d8171\n"
        + "ledger-issued-at 2026-11-23T16:20:00.123456Z\n";

    private const string Note = Text + "\n\u2014 ledger.local 2Gd+ijBEAiB52jIHFbVKwGz/5shw39evUXFOPYBhoKrg/VTvtAIX4gIgUV+4n06WlNsTkE5bm0m0zz/P6XM3Mb/0EF9K4qc21zU=\n";

    private const string VerifierKey = "ledger.local+d8677e8a+AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABN/+7HhTvlzk4e6KcFEA5VMBckrgA2EVl0Ke3MoT+66NGVdJyYgNWLPrxrlx/v6vqc8eAp8UlPAF6JgbXsbxFzM=";

    private static readonly CheckpointNoteBody Body = new("ledger.local/acme", 1,
        Convert.FromHexString("33c626ef24cab785311799414f67eb30808682b1108e9b5f5ec24b0d60bd5332"),
        Convert.FromHexString("afd6e1ac19b423a423f246a41d54ee72da4848772fe03ad3908e1b1d6b6d8171"),
        new DateTimeOffset(2026, 11, 23, 16, 20, 0, TimeSpan.Zero).AddTicks(1234560));

    private static LedgerKeySet Keys(params CheckpointKey[] keys) =>
        new(keys.Select(k => new LedgerPublicKey(k.Kid, k.X, k.Y, null, null, false)).ToList());

    [Fact]
    public void The_fixed_note_verifies_and_this_code_writes_its_text_and_signature_line_prefix_byte_for_byte()
    {
        using var key = CheckpointKey.FromPem(Pem);

        Body.Text().ShouldBe(Text);
        CheckpointNote.VerifierKey("ledger.local", key.X, key.Y).ShouldBe(VerifierKey);
        CheckpointNote.KeyId(key.X, key.Y).ShouldBe(0xd8677e8au);

        var verified = CheckpointNote.Verify(Note, Keys(key), "ledger.local", "acme");
        verified.Error.ShouldBeNull();
        verified.Note!.Body.TreeRoot.ShouldBe(Body.TreeRoot);
        verified.Note.Body.ChainHash.ShouldBe(Body.ChainHash);
        (verified.Note.Body.TreeSize, verified.Note.Body.IssuedAt).ShouldBe((1L, Body.IssuedAt));

        // ECDSA is randomised: a fresh signature differs, but everything up to it is the same bytes, and it verifies.
        var signed = CheckpointNote.Sign(Body, "ledger.local", key);
        signed.ShouldStartWith(Text + "\n\u2014 ledger.local 2Gd+i");
        CheckpointNote.Verify(signed, Keys(key), "ledger.local", "acme").Error.ShouldBeNull();
    }

    [Fact]
    public void Sigstore_Rekor_s_published_note_verifies_under_the_same_key_id_and_DER_rules()
    {
        // transparency-dev/formats note/note_verifier_test.go (TestECDSAVerifier, "sigstore works"): key hash c0d23d6a.
        const string rekorKey = "AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNhtmPtrWm3U1eQXBogSMdGvXwBcK5AW5i0hrZLOC96l+smGNM7nwZ4QvFK/4sueRoVj//QP22Ni4Qt9DPfkWLc=";
        const string rekorNote = "Rekor\n798034\nf+7CoKgXKE/tNys9TTXcr/ad6U/K3xvznmzew9y6SP0=\n\n\u2014 rekor.sigstore.dev wNI9ajBEAiARInWIWyCdyG27CO6LPnPekyw20qO0YJfoaPaowGp/XgIgc+qEHS3+GKVClgqq20uDLet7MCoTURUCRdxwWBHHufk=\n";
        var spki = Convert.FromBase64String(rekorKey)[1..];

        var (text, signatures) = CheckpointNote.Split(rekorNote);
        var signature = signatures.ShouldHaveSingleItem();
        signature.Name.ShouldBe("rekor.sigstore.dev");
        signature.KeyId.ShouldBe(0xc0d23d6au);
        CheckpointNote.KeyId(spki).ShouldBe(0xc0d23d6au);
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(spki, out _);
        ecdsa.VerifyData(Encoding.UTF8.GetBytes(text), signature.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence).ShouldBeTrue();
    }

    [Fact]
    public void Another_key_an_edited_size_or_root_an_extra_line_another_tenant_or_a_time_outside_the_key_fail()
    {
        using var key = CheckpointKey.FromPem(Pem);
        using var other = CheckpointKey.Generate();

        CheckpointNote.Verify(Note, Keys(other), "ledger.local", "acme").Error.ShouldBe("no key in the key set has key id d8677e8a");
        var impostor = new LedgerKeySet([new LedgerPublicKey(key.Kid, other.X, other.Y, null, null, false)]);
        CheckpointNote.Verify(Note, impostor, "ledger.local", "acme").Succeeded.ShouldBeFalse();
        var forged = CheckpointNote.Sign(Body, "ledger.local", other);
        CheckpointNote.Verify(forged, Keys(key), "ledger.local", "acme").Error.ShouldStartWith("no key in the key set has key id");

        CheckpointNote.Verify(Note.Replace("acme\n1\n", "acme\n2\n", StringComparison.Ordinal), Keys(key), "ledger.local", "acme")
            .Error.ShouldBe($"the signature does not verify with key {key.Kid}");
        CheckpointNote.Verify(Note.Replace("M8Ym7", "M8Ym8", StringComparison.Ordinal), Keys(key), "ledger.local", "acme")
            .Error.ShouldBe($"the signature does not verify with key {key.Kid}");
        CheckpointNote.Verify(Note.Replace("Z\n\n", "Z\nextra\n\n", StringComparison.Ordinal), Keys(key), "ledger.local", "acme")
            .Error.ShouldStartWith("the note is malformed: a Ledger checkpoint note's text has 5 lines");
        CheckpointNote.Verify(Note + "trailing\n", Keys(key), "ledger.local", "acme").Error.ShouldStartWith("the note is malformed");
        CheckpointNote.Verify(Note.Replace("acme\n1\n", "acme\n01\n", StringComparison.Ordinal), Keys(key), "ledger.local", "acme")
            .Error.ShouldStartWith("the note is malformed: the tree size '01'");
        CheckpointNote.Verify(Note, Keys(key), "ledger.local", "globex").Error.ShouldBe("its origin ledger.local/acme is not ledger.local/globex");
        CheckpointNote.Verify(Note, Keys(key), "other.origin", "acme").Error.ShouldStartWith("its origin");

        var retired = new LedgerKeySet([new LedgerPublicKey(key.Kid, key.X, key.Y, null, Body.IssuedAt, true)]);
        CheckpointNote.Verify(Note, retired, "ledger.local", "acme").Error.ShouldStartWith("it was signed outside the validity of key");
        var revoked = new LedgerKeySet([new LedgerPublicKey(key.Kid, key.X, key.Y, null, null, false, RevokedAt: Body.IssuedAt.AddSeconds(-1))]);
        CheckpointNote.Verify(Note, revoked, "ledger.local", "acme").Error!.ShouldContain("was revoked at");
    }

    [Fact]
    public void A_witness_cosignature_line_after_Ledger_s_is_ignored_and_one_without_Ledger_s_fails()
    {
        using var key = CheckpointKey.FromPem(Pem);
        var cosigned = Note + "\u2014 witness.example AAAAAQEBAQE=\n";
        CheckpointNote.Verify(cosigned, Keys(key), "ledger.local", "acme").Error.ShouldBeNull();

        var witnessOnly = Text + "\n\u2014 witness.example AAAAAQEBAQE=\n";
        CheckpointNote.Verify(witnessOnly, Keys(key), "ledger.local", "acme").Error.ShouldBe("it has no signature by ledger.local");
    }

    [Fact]
    public void Signatures_whose_R_or_S_is_short_are_still_minimal_DER_and_verify()
    {
        // About one signature in 128 has an R or S below 2^248; a few hundred make sure those are among them.
        using var key = CheckpointKey.FromPem(Pem);
        for (var i = 0; i < 300; i++)
        {
            var note = CheckpointNote.Sign(Body with { TreeSize = i + 1 }, "ledger.local", key);
            CheckpointNote.Verify(note, Keys(key), "ledger.local", "acme").Error.ShouldBeNull();
        }
    }

    [Fact]
    public void The_worked_note_in_docs_ledger_format_section_14_is_this_one_byte_for_byte()
    {
        var doc = File.ReadAllText(Path.Combine(Ledger.EventStore.Tests.Export.PythonVerifier.RepoRoot(), "docs", "ledger-format.md"));
        doc.ShouldContain("verifier key = " + VerifierKey + "\n\n" + Note);
    }
}
