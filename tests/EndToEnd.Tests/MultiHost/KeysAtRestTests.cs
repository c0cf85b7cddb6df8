using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Ledger.EventStore.Keys;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.MultiHost;

/// <summary>
/// Keys at rest (issue 16): a Host refuses to start with a private key file others can read, with a clear log line;
/// with its keys encrypted it starts under the right passphrase and refuses a wrong one; where encryption is required it
/// refuses keys in clear. <c>ledger keys encrypt</c> encrypts the key files in place — the privacy master key among
/// them — keeping the keys.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeysAtRestTests : IAsyncLifetime
{
    private const string Passphrase = "a passphrase for the keys at rest";
    private LedgerCluster cluster = null!;

    public async Task InitializeAsync() => cluster = await LedgerCluster.CreateAsync();

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task A_host_refuses_to_start_with_a_key_file_others_can_read()
    {
        File.SetUnixFileMode(cluster.SigningKeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var host = cluster.Start("shared-key");
        (await host.WaitExitAsync(TimeSpan.FromSeconds(60))).ShouldBeTrue("the host stops at start");
        host.ExitCode.ShouldNotBe(0);
        host.Tail().ShouldContain($"can be read by others (mode 0604): run `chmod 600 {cluster.SigningKeyPath}`");
    }

    [Fact]
    public async Task Encrypted_keys_start_a_host_under_their_passphrase_only_and_clear_keys_are_refused_where_encryption_is_required()
    {
        var clearRequired = cluster.Start("clear-required", new Dictionary<string, string> { ["Ledger:Keys:RequireEncrypted"] = "true" });
        (await clearRequired.WaitExitAsync(TimeSpan.FromSeconds(60))).ShouldBeTrue();
        clearRequired.Tail().ShouldContain("is not encrypted, and this environment requires it");

        var encrypt = await LedgerCliAsync(new() { ["Ledger__Keys__Passphrase"] = Passphrase }, "keys", "encrypt");
        encrypt.ExitCode.ShouldBe(0, encrypt.Output);
        encrypt.Output.ShouldContain($"encrypted {cluster.SigningKeyPath}");
        encrypt.Output.ShouldContain($"encrypted {cluster.CheckpointKeyPath}");
        encrypt.Output.ShouldContain($"encrypted {cluster.MasterKeyPath}");
        File.ReadAllText(cluster.SigningKeyPath).ShouldStartWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        SecretKeyFile.IsEncrypted(cluster.MasterKeyPath).ShouldBeTrue();

        var wrong = cluster.Start("wrong-passphrase", new Dictionary<string, string> { ["Ledger:Keys:Passphrase"] = "not it at all" });
        (await wrong.WaitExitAsync(TimeSpan.FromSeconds(60))).ShouldBeTrue();
        wrong.Tail().ShouldContain("cannot be decrypted with the configured passphrase");

        var passphraseFile = Path.Combine(Path.GetDirectoryName(cluster.SigningKeyPath)!, "passphrase");
        File.WriteAllText(passphraseFile, Passphrase + "\n");
        File.SetUnixFileMode(passphraseFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var host = cluster.Start("encrypted", new Dictionary<string, string>
        {
            ["Ledger:Keys:PassphraseFile"] = passphraseFile,
            ["Ledger:Keys:RequireEncrypted"] = "true",
        });
        await host.WaitReadyAsync(TimeSpan.FromSeconds(90));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/ledger/checkpoints/latest");
        request.Headers.Authorization = new("Bearer", cluster.Tokens.For(TestDatabase.NewTenant("atrest"), "auditor"));
        using var answer = await host.Client.SendAsync(request);
        answer.StatusCode.ShouldBe(HttpStatusCode.NotFound, "the token the tests sign with the same key is accepted: the key is unchanged");
    }

    // The built ledger CLI, with the cluster's key paths.
    private async Task<(int ExitCode, string Output)> LedgerCliAsync(Dictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ledger.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["Ledger__Auth__SigningKeyPath"] = cluster.SigningKeyPath;
        start.Environment["Ledger__Checkpoints__KeyPath"] = cluster.CheckpointKeyPath;
        start.Environment["Ledger__Privacy__MasterKeyFile"] = cluster.MasterKeyPath;
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
