using System.Diagnostics;
using Ledger.EventStore.Keys;
using Ledger.EventStore.Privacy;

namespace Ledger.EventStore.Tests.Keys;

/// <summary>
/// The privacy master key on disk: owner-only, encrypted under the keys' passphrase in the format <c>openssl enc</c>
/// writes and reads (docker-compose's keygen makes it with openssl), refused otherwise with its reason.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SecretKeyFileTests : IDisposable
{
    private const string OpenSslOptions = "-aes-256-cbc -pbkdf2 -iter 600000 -md sha256 -a";
    private static readonly KeyProtection Passphrase = new("correct horse battery staple");
    private readonly string folder = Directory.CreateTempSubdirectory("ledger-secret-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void An_encrypted_secret_reads_back_with_its_passphrase_and_holds_nothing_of_it_in_clear()
    {
        var path = Path.Combine(folder, "master");
        var secret = MasterKeyRing.NewKey();
        SecretKeyFile.Write(path, secret, Passphrase);

        File.ReadAllText(path).ShouldNotContain(secret);
        File.ReadAllText(path).ShouldStartWith("U2FsdGVkX1"); // base64 of "Salted__", as openssl writes it
        File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        SecretKeyFile.IsEncrypted(path).ShouldBeTrue();
        SecretKeyFile.Read(path, Passphrase with { RequireEncrypted = true }).ShouldBe(secret);
    }

    [Fact]
    public void A_wrong_or_missing_passphrase_a_clear_secret_where_encryption_is_required_and_a_shared_file_are_refused()
    {
        var encrypted = Path.Combine(folder, "encrypted");
        var clear = Path.Combine(folder, "clear");
        SecretKeyFile.Write(encrypted, MasterKeyRing.NewKey(), Passphrase);
        SecretKeyFile.Write(clear, MasterKeyRing.NewKey(), KeyProtection.None);

        Should.Throw<UnsafeKeyFileException>(() => SecretKeyFile.Read(encrypted, new KeyProtection("wrong passphrase!"))).Message.ShouldContain("cannot be decrypted");
        Should.Throw<UnsafeKeyFileException>(() => SecretKeyFile.Read(encrypted, KeyProtection.None)).Message.ShouldContain("is encrypted");
        Should.Throw<UnsafeKeyFileException>(() => SecretKeyFile.Read(clear, KeyProtection.None with { RequireEncrypted = true })).Message.ShouldContain("not encrypted");
        SecretKeyFile.Read(clear, KeyProtection.None).Length.ShouldBe(44);
        File.SetUnixFileMode(clear, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        Should.Throw<UnsafeKeyFileException>(() => SecretKeyFile.Read(clear, KeyProtection.None)).Message.ShouldContain("chmod 600");
    }

    [Fact]
    public async Task What_openssl_encrypts_Ledger_reads_and_what_Ledger_encrypts_openssl_reads()
    {
        var secret = MasterKeyRing.NewKey();
        var byOpenSsl = Path.Combine(folder, "by-openssl");
        (await OpenSslAsync($"enc {OpenSslOptions} -salt -out {byOpenSsl}", secret + "\n")).ShouldBe("");
        File.SetUnixFileMode(byOpenSsl, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        SecretKeyFile.Read(byOpenSsl, Passphrase).ShouldBe(secret);

        var byLedger = Path.Combine(folder, "by-ledger");
        SecretKeyFile.Write(byLedger, secret, Passphrase);
        (await OpenSslAsync($"enc -d {OpenSslOptions} -in {byLedger}", "")).Trim().ShouldBe(secret);
    }

    private static async Task<string> OpenSslAsync(string arguments, string input)
    {
        var start = new ProcessStartInfo("openssl", arguments + " -pass env:LEDGER_TEST_PASSPHRASE")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["LEDGER_TEST_PASSPHRASE"] = Passphrase.Passphrase;
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, error);
        return output;
    }
}
