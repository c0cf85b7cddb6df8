using System.Security.Cryptography;
using Ledger.EventStore.Privacy;

namespace Ledger.EventStore.Tests.Privacy;

/// <summary>AES-256-GCM sealing of personal fields, bound to tenant, subject, key generation and field; and the master key ring.</summary>
public sealed class SubjectKeyTests
{
    private static readonly SubjectKey Key = SubjectKey.Create("acme", "cust-1", 1);

    [Fact]
    public void A_sealed_field_opens_with_its_key_and_field_and_hides_its_value()
    {
        var sealedName = Key.Seal("name", "Ada Lovelace");
        sealedName.ShouldNotContain("Ada");
        Key.Open("name", sealedName).ShouldBe("Ada Lovelace");
        Key.Seal("name", "Ada Lovelace").ShouldNotBe(sealedName, "a fresh nonce each time");
        Key.Open("name", Key.Seal("name", "")).ShouldBe("");
    }

    [Fact]
    public void A_sealed_value_moved_to_another_field_subject_generation_or_tenant_does_not_open()
    {
        var sealedName = Key.Seal("name", "Ada Lovelace");
        Should.Throw<CryptographicException>(() => Key.Open("email", sealedName));
        Should.Throw<CryptographicException>(() => (Key with { SubjectId = "cust-2" }).Open("name", sealedName));
        Should.Throw<CryptographicException>(() => (Key with { Generation = 2 }).Open("name", sealedName));
        Should.Throw<CryptographicException>(() => (Key with { TenantId = "other" }).Open("name", sealedName));
        Should.Throw<CryptographicException>(() => SubjectKey.Create("acme", "cust-1", 1).Open("name", sealedName));
    }

    [Fact]
    public void An_altered_or_malformed_sealed_value_is_refused()
    {
        var bytes = Convert.FromBase64String(Key.Seal("name", "Ada").Replace('-', '+').Replace('_', '/').PadRight(44, '='));
        bytes[^1] ^= 1;
        Should.Throw<CryptographicException>(() => Key.Open("name", Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_')));
        Should.Throw<CryptographicException>(() => Key.Open("name", "not*base64url"));
        Should.Throw<CryptographicException>(() => Key.Open("name", "AAAA"));
    }

    [Fact]
    public void The_ring_wraps_under_its_current_key_and_unwraps_under_any_of_its_keys()
    {
        var (old, current) = (RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        var before = new MasterKeyRing(old);
        var (kid, wrapped) = before.Wrap(Key);
        kid.ShouldBe(MasterKeyRing.KidOf(old));
        wrapped.Length.ShouldBe(60);

        var rotated = new MasterKeyRing(current, [old]);
        rotated.CurrentKid.ShouldBe(MasterKeyRing.KidOf(current));
        rotated.Unwrap("acme", "cust-1", 1, kid, wrapped).Key.ShouldBe(Key.Key);
        Should.Throw<CryptographicException>(() => rotated.Unwrap("acme", "cust-2", 1, kid, wrapped));
        Should.Throw<MasterKeyMissingException>(() => new MasterKeyRing(current).Unwrap("acme", "cust-1", 1, kid, wrapped)).Kid.ShouldBe(kid);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public void A_configured_master_key_that_is_not_32_bytes_of_base64_is_refused(string configured) =>
        Should.Throw<FormatException>(() => MasterKeyRing.Parse(configured, "test"));

    [Fact]
    public void A_key_never_prints_itself() => Key.ToString().ShouldBe("SubjectKey acme/cust-1#1");
}
