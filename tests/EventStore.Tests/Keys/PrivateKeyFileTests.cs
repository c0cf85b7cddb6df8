using System.Security.Cryptography;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Keys;

namespace Ledger.EventStore.Tests.Keys;

/// <summary>Private keys on disk: owner-only, encrypted under the configured passphrase, refused otherwise with a clear reason.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PrivateKeyFileTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("ledger-keys-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static readonly KeyProtection Passphrase = new("correct horse battery staple");

    [Fact]
    public void An_encrypted_key_reads_back_with_its_passphrase_and_holds_nothing_of_the_key_in_clear()
    {
        var path = Path.Combine(folder, "key.pem");
        using var key = CheckpointKey.Generate();
        key.WriteTo(path, Passphrase);

        var text = File.ReadAllText(path);
        text.ShouldStartWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        text.ShouldNotContain(key.ToPem().Split('\n')[1], Case.Sensitive, "the clear key's first line of base64");
        File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var read = CheckpointKey.FromFile(path, Passphrase with { RequireEncrypted = true });
        read.Kid.ShouldBe(key.Kid);
    }

    [Fact]
    public void A_wrong_or_missing_passphrase_and_a_clear_key_where_encryption_is_required_are_refused_with_their_reason()
    {
        var encrypted = Path.Combine(folder, "encrypted.pem");
        var clear = Path.Combine(folder, "clear.pem");
        using (var key = CheckpointKey.Generate())
        {
            key.WriteTo(encrypted, Passphrase);
            key.WriteTo(clear, KeyProtection.None);
        }

        Should.Throw<UnsafeKeyFileException>(() => CheckpointKey.FromFile(encrypted, new KeyProtection("not the passphrase")))
            .Message.ShouldContain("cannot be decrypted with the configured passphrase");
        Should.Throw<UnsafeKeyFileException>(() => CheckpointKey.FromFile(encrypted, KeyProtection.None))
            .Message.ShouldContain("is encrypted: set Ledger:Keys:Passphrase");
        Should.Throw<UnsafeKeyFileException>(() => CheckpointKey.FromFile(clear, new KeyProtection(null, RequireEncrypted: true)))
            .Message.ShouldContain("is not encrypted, and this environment requires it");
        using var development = CheckpointKey.FromFile(clear, KeyProtection.None);
        development.Kid.ShouldNotBeNullOrEmpty();
    }

    [Theory]
    [InlineData(UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.GroupRead)]
    [InlineData(UnixFileMode.GroupWrite)]
    public void A_key_file_others_may_open_is_refused_before_it_is_read(UnixFileMode shared)
    {
        var path = Path.Combine(folder, "shared.pem");
        using (var key = CheckpointKey.Generate()) key.WriteTo(path, KeyProtection.None);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | shared);

        var refused = Should.Throw<UnsafeKeyFileException>(() => CheckpointKey.FromFile(path, KeyProtection.None));
        refused.Message.ShouldContain($"chmod 600 {path}");
        using var rsa = RSA.Create();
        Should.Throw<UnsafeKeyFileException>(() => PrivateKeyFile.Import(rsa, path, Passphrase));
    }

    [Fact]
    public void Rewriting_under_a_new_passphrase_keeps_the_key_and_only_the_new_passphrase_opens_it()
    {
        var path = Path.Combine(folder, "rotated.pem");
        using var key = CheckpointKey.Generate();
        key.WriteTo(path, Passphrase);
        var next = new KeyProtection("a new passphrase, rotated");

        using (var ecdsa = ECDsa.Create())
        {
            PrivateKeyFile.Import(ecdsa, path, Passphrase);
            PrivateKeyFile.Write(path, ecdsa, next, replace: true);
        }
        CheckpointKey.FromFile(path, next).Kid.ShouldBe(key.Kid);
        Should.Throw<UnsafeKeyFileException>(() => CheckpointKey.FromFile(path, Passphrase));
        Directory.GetFiles(folder).ShouldBe([path], "no temporary file left behind");
    }
}
