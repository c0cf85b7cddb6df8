using System.CommandLine;
using Ledger.EventStore.Checkpoints;
using Ledger.Host.Auditing;
using Ledger.Host.Configuration;

namespace Ledger.Host.Cli;

/// <summary>
/// <c>ledger checkpoints rotate-key [--key new.pem]</c>: the one way to supersede the active checkpoint signing key.
/// Without <c>--key</c> it writes a new key to the configured key file (the old one kept beside it as
/// <c>&lt;file&gt;.&lt;kid&gt;.retired</c>), which hosts sharing that file pick up on their next round; with
/// <c>--key</c> it makes that PEM's key active, for keys kept in a secret store (configure the hosts with it). The key
/// history records the rotation, and each tenant's chain records it before its next checkpoint (docs/ledger-format.md §7).
/// </summary>
internal static class CheckpointsCommand
{
    public static Command Create()
    {
        var command = new Command("checkpoints", "The checkpoint signing key.");
        command.Subcommands.Add(RotateKey());
        return command;
    }

    private static Command RotateKey()
    {
        var keyFile = new Option<string?>("--key") { Description = "A PKCS#8 PEM file holding the new key (default: generate one into the configured key file)." };
        var command = new Command("rotate-key", "Make a new checkpoint signing key the active one, superseding the current key.") { keyFile };
        command.SetAction(async (parse, ct) =>
        {
            var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            var configuration = LedgerConfiguration.ForCli(LedgerConfiguration.CliEnvironmentName());
            var options = configuration.GetSection(CheckpointOptions.Section).Get<CheckpointOptions>() ?? new();
            await using var dataSources = LedgerDataSources.Create(configuration);
            var history = new SigningKeyHistory(dataSources.App);

            if (parse.GetValue(keyFile) is { } given)
            {
                using var provided = CheckpointKey.FromPem(await File.ReadAllTextAsync(given, ct));
                return await Report(await history.RotateAsync(provided, TimeProvider.System.GetUtcNow(), ct), provided, output, error,
                    "configure the hosts with this key (Ledger:Checkpoints:PrivateKeyPem or KeyPath) and restart them");
            }
            if (!string.IsNullOrWhiteSpace(options.PrivateKeyPem))
            {
                await error.WriteLineAsync("rotate-key: the key comes from Ledger:Checkpoints:PrivateKeyPem; give the new one with --key <file>.");
                return 2;
            }

            var path = CheckpointKeyProvider.KeyPath(options, configuration);
            using var key = CheckpointKey.Generate();
            var retired = File.Exists(path) ? $"{path}.{CurrentKid(path)}.retired" : null;
            if (retired is not null) File.Move(path, retired, overwrite: false);
            CheckpointKeyFile.Write(path, key);
            try
            {
                return await Report(await history.RotateAsync(key, TimeProvider.System.GetUtcNow(), ct), key, output, error,
                    $"hosts sharing {path} sign with it from their next round");
            }
            catch
            {
                File.Delete(path); // not registered: the previous key stays the active one, in its place
                if (retired is not null) File.Move(retired, path);
                throw;
            }
        });
        return command;
    }

    private static string CurrentKid(string path)
    {
        using var current = CheckpointKey.FromPem(File.ReadAllText(path));
        return current.Kid;
    }

    private static async Task<int> Report((KeyRegistration Outcome, string? PreviousKid) rotation, CheckpointKey key, TextWriter output, TextWriter error, string next)
    {
        switch (rotation.Outcome)
        {
            case KeyRegistration.Rotated:
                await output.WriteLineAsync($"checkpoint signing key {key.Kid} is active (superseding {rotation.PreviousKid ?? "none"}); {next}");
                return 0;
            case KeyRegistration.Active:
                await output.WriteLineAsync($"checkpoint signing key {key.Kid} already is the active key");
                return 0;
            default:
                await error.WriteLineAsync($"rotate-key: key {key.Kid} was superseded before by {rotation.PreviousKid}; a retired key never becomes active again");
                return 1;
        }
    }
}
