using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ledger.EventStore.Checkpoints;

namespace Ledger.EventStore.Tests.Checkpoints;

public sealed class Es256JwsTests : IDisposable
{
    private readonly CheckpointKey key = CheckpointKey.Generate();
    private readonly DateTimeOffset now = new(2026, 11, 23, 16, 18, 16, TimeSpan.Zero);

    private LedgerKeySet Keys(params CheckpointKey[] keys) =>
        new(keys.Select(k => new LedgerPublicKey(k.Kid, k.X, k.Y, null, null, false)).ToList());

    [Fact]
    public void A_signed_checkpoint_verifies_and_its_header_names_the_key_and_type()
    {
        var checkpoint = new Checkpoint("acme", 42, SHA256.HashData("x"u8), now);
        var signed = SignedCheckpoint.Sign(checkpoint, key);

        var verified = Es256Jws.Verify(signed.Jws, Keys(key), Es256Jws.CheckpointType);

        verified.Error.ShouldBeNull();
        verified.Key!.Kid.ShouldBe(key.Kid);
        var parsed = Checkpoint.ParsePayload(verified.Payload);
        (parsed.TenantId, parsed.ChainSeq, parsed.IssuedAt).ShouldBe(("acme", 42L, now));
        parsed.ChainHash.ShouldBe(checkpoint.ChainHash);
        Encoding.UTF8.GetString(Base64Url.DecodeFromChars(signed.Jws.Split('.')[0]))
            .ShouldBe($$"""{"alg":"ES256","kid":"{{key.Kid}}","typ":"ledger-checkpoint+jws"}""");
        Encoding.UTF8.GetString(checkpoint.Payload()).ShouldBe(
            $$"""{"chain_hash":"{{Convert.ToHexStringLower(checkpoint.ChainHash)}}","chain_seq":42,"checkpoint_format":1,"issued_at":"2026-11-23T16:18:16.000000Z","tenant_id":"acme"}""");
        Base64Url.DecodeFromChars(signed.Jws.Split('.')[2]).Length.ShouldBe(64, "ES256 signatures are R || S, 32 bytes each");
    }

    [Fact]
    public void The_key_id_is_the_RFC_7638_thumbprint_of_the_public_key()
    {
        var jwk = $$"""{"crv":"P-256","kty":"EC","x":"{{key.X}}","y":"{{key.Y}}"}""";
        key.Kid.ShouldBe(Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(jwk))));
        Base64Url.DecodeFromChars(key.X).Length.ShouldBe(32);
    }

    [Fact]
    public void A_changed_payload_an_unknown_key_a_foreign_key_with_the_same_kid_and_other_algorithms_all_fail()
    {
        var jws = Es256Jws.Sign(key, Es256Jws.CheckpointType, """{"a":1}"""u8);
        var parts = jws.Split('.');

        Es256Jws.Verify($"{parts[0]}.{Base64Url.EncodeToString("""{"a":2}"""u8)}.{parts[2]}", Keys(key), Es256Jws.CheckpointType)
            .Error.ShouldBe($"the signature does not verify with key {key.Kid}");

        using var other = CheckpointKey.Generate();
        Es256Jws.Verify(jws, Keys(other), Es256Jws.CheckpointType).Error.ShouldBe($"key {key.Kid} is not in the key set");

        var impostor = new LedgerKeySet([new LedgerPublicKey(key.Kid, other.X, other.Y, null, null, false)]);
        Es256Jws.Verify(jws, impostor, Es256Jws.CheckpointType).Error.ShouldStartWith("the signature does not verify");

        var none = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"alg":"none","kid":"{{key.Kid}}","typ":"ledger-checkpoint+jws"}"""));
        Es256Jws.Verify($"{none}.{parts[1]}.", Keys(key), Es256Jws.CheckpointType).Error!.ShouldContain("alg none is not accepted");

        Es256Jws.Verify(jws, Keys(key), Es256Jws.ManifestType).Error!.ShouldContain("is not ledger-export-manifest+jws");
        Es256Jws.Verify("not a jws", Keys(key), Es256Jws.CheckpointType).Succeeded.ShouldBeFalse();
        Es256Jws.Verify("a.b.c", Keys(key), Es256Jws.CheckpointType).Succeeded.ShouldBeFalse();
    }

    [Fact]
    public void A_detached_signature_covers_the_file_beside_it()
    {
        var manifest = """{"count":3}"""u8.ToArray();
        var jws = Es256Jws.Sign(key, Es256Jws.ManifestType, manifest, detached: true);

        jws.Split('.')[1].ShouldBeEmpty();
        Es256Jws.Verify(jws, Keys(key), Es256Jws.ManifestType, manifest).Succeeded.ShouldBeTrue();
        Es256Jws.Verify(jws, Keys(key), Es256Jws.ManifestType, """{"count":4}"""u8.ToArray()).Succeeded.ShouldBeFalse();
    }

    [Fact]
    public void The_key_set_round_trips_as_a_JWK_set_with_validity_and_retirement()
    {
        var set = new LedgerKeySet([
            new LedgerPublicKey("old", key.X, key.Y, now.AddDays(-2), now.AddDays(-1), true),
            new LedgerPublicKey("new", key.X, key.Y, now.AddDays(-1), null, false),
        ]);

        var json = set.ToJson();
        var parsed = LedgerKeySet.Parse(json);

        parsed.Keys.ShouldBe(set.Keys);
        using var document = JsonDocument.Parse(json);
        var first = document.RootElement.GetProperty("keys")[0];
        (first.GetProperty("kty").GetString(), first.GetProperty("crv").GetString(), first.GetProperty("alg").GetString(), first.GetProperty("use").GetString())
            .ShouldBe(("EC", "P-256", "ES256", "sig"));
        first.GetProperty("retired").GetBoolean().ShouldBeTrue();
        document.RootElement.GetProperty("keys")[1].TryGetProperty("valid_until", out _).ShouldBeFalse();
        parsed.Find("old")!.ValidAt(now.AddDays(-1)).ShouldBeFalse("validity ends where the next key's begins");
        parsed.Find("new")!.ValidAt(now.AddDays(-1)).ShouldBeTrue();
    }

    [Fact]
    public void A_checkpoint_signed_outside_its_keys_validity_or_for_another_tenant_is_an_invalid_anchor()
    {
        var signed = SignedCheckpoint.Sign(new Checkpoint("acme", 7, new byte[32], now), key);
        var retired = new LedgerKeySet([new LedgerPublicKey(key.Kid, key.X, key.Y, now.AddDays(-2), now.AddDays(-1), true)]);

        SignedCheckpoint.ToAnchor(signed.Jws, Keys(key), "acme", 0).IsValid.ShouldBeTrue();
        SignedCheckpoint.ToAnchor(signed.Jws, retired, "acme", 0).Invalid!.ShouldContain("outside the validity");
        var foreign = SignedCheckpoint.ToAnchor(signed.Jws, Keys(key), "globex", 0);
        (foreign.Position, foreign.Invalid).ShouldBe((7L, "it is signed for tenant acme"));
    }

    public void Dispose() => key.Dispose();
}

public sealed class CheckpointKeyFileTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "ledger-keyfile-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void A_key_comes_from_configured_PEM_first_then_a_file_generated_only_where_allowed()
    {
        var path = Path.Combine(folder, "keys", "checkpoint.pem");
        Should.Throw<InvalidOperationException>(() => CheckpointKeyFile.Load(null, path, mayGenerate: false)).Message.ShouldContain("does not exist");

        using var generated = CheckpointKeyFile.Load(null, path, mayGenerate: true);
        using var again = CheckpointKeyFile.Load(null, path, mayGenerate: false);
        again.Kid.ShouldBe(generated.Kid, "a generated key is kept and reused");
        if (!OperatingSystem.IsWindows())
            File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);

        using var configured = CheckpointKey.Generate();
        using var fromPem = CheckpointKeyFile.Load(configured.ToPem(), path, mayGenerate: false);
        fromPem.Kid.ShouldBe(configured.Kid);

        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        Should.Throw<System.Security.Cryptography.CryptographicException>(() => CheckpointKey.FromPem(rsa.ExportPkcs8PrivateKeyPem()));
    }

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}
