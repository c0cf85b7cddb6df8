using System.CommandLine;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Keys;
using Ledger.Host.Auditing;
using Ledger.Host.Configuration;
using Ledger.Host.Events;

namespace Ledger.Host.Cli;

/// <summary>
/// <c>ledger checkpoints rotate-key [--key new.pem]</c>: the one way to supersede the active checkpoint signing key.
/// Without <c>--key</c> it writes a new key to the configured key file (the old one kept beside it as
/// <c>&lt;file&gt;.&lt;kid&gt;.retired</c>), which hosts sharing that file pick up on their next round; with
/// <c>--key</c> it makes that PEM's key active, for keys kept in a secret store (configure the hosts with it). The key
/// history records the rotation, and each tenant's chain records it before its next checkpoint (docs/ledger-format.md §7).
/// <para>
/// <c>ledger checkpoints revoke-key --kid &lt;kid&gt; --reason &lt;text&gt; [--at &lt;time&gt;]</c>: from that time on (now by
/// default; earlier when the key leaked before it was noticed) nothing the key signed verifies, anywhere. The revocation
/// is recorded in the key history (and so the JWKS) and as an entry in every tenant's chain.
/// </para>
/// </summary>
internal static class CheckpointsCommand
{
    public static Command Create()
    {
        var command = new Command("checkpoints", "The checkpoint signing key.");
        command.Subcommands.Add(RotateKey());
        command.Subcommands.Add(RevokeKey());
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
            var protection = KeyProtectionOptions.Resolve(configuration, LedgerConfiguration.CliEnvironmentName());
            await using var dataSources = LedgerDataSources.Create(configuration);
            var history = new SigningKeyHistory(dataSources.App);

            if (parse.GetValue(keyFile) is { } given)
            {
                using var provided = CheckpointKey.FromFile(given, protection with { RequireEncrypted = false });
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
            var retired = File.Exists(path) ? $"{path}.{CurrentKid(path, protection)}.retired" : null;
            if (retired is not null) File.Move(path, retired, overwrite: false);
            CheckpointKeyFile.Write(path, key, protection);
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

    private static Command RevokeKey()
    {
        var kid = new Option<string>("--kid") { Description = "The id of the key to revoke (its kid in GET /api/ledger/jwks).", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why, for the record (no personal data: it goes into every tenant's chain).", Required = true };
        var at = new Option<string?>("--at") { Description = "Revoked from this time on, e.g. 2026-12-01T08:00:00Z (default: now); earlier times fail what it signed since." };
        var command = new Command("revoke-key", "Revoke a checkpoint signing key: nothing it signed from the revocation time on verifies.") { kid, reason, at };
        command.SetAction(async (parse, ct) =>
        {
            var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            var now = TimeProvider.System.GetUtcNow();
            var revokedAt = now;
            if (parse.GetValue(at) is { } text && !DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out revokedAt))
            {
                await error.WriteLineAsync($"revoke-key: --at {text} is not a time like 2026-12-01T08:00:00Z");
                return 2;
            }
            if (revokedAt > now)
            {
                await error.WriteLineAsync("revoke-key: --at lies in the future; revoke when the key must stop counting, and rotate before that");
                return 2;
            }
            var why = parse.GetValue(reason)!.Trim();
            if (why.Length is 0 or > 500)
            {
                await error.WriteLineAsync("revoke-key: --reason must have 1 to 500 characters");
                return 2;
            }

            var configuration = LedgerConfiguration.ForCli(LedgerConfiguration.CliEnvironmentName());
            await using var dataSources = LedgerDataSources.Create(configuration);
            var history = new SigningKeyHistory(dataSources.App);
            var (outcome, inForce) = await history.RevokeAsync(parse.GetValue(kid)!, revokedAt, why, ct);
            switch (outcome)
            {
                case KeyRevocation.UnknownKey:
                    await error.WriteLineAsync($"revoke-key: no key {parse.GetValue(kid)} in the key history");
                    return 1;
                case KeyRevocation.AlreadyRevoked:
                    await output.WriteLineAsync($"key {parse.GetValue(kid)} was already revoked at {EventStore.Chain.LedgerRecord.FormatTimestamp(inForce!.Value)}; a revocation is final");
                    break;
                default:
                    await output.WriteLineAsync($"key {parse.GetValue(kid)} is revoked from {EventStore.Chain.LedgerRecord.FormatTimestamp(inForce!.Value)}");
                    break;
            }
            // Every tenant's chain records it now (the checkpointer also adds it to any chain that lacks it).
            await using var events = CliEventStore.Open(dataSources.App, dataSources.Schema);
            var (keys, reasons) = (await history.ReadAsync(ct), await history.RevocationReasonsAsync(ct));
            var recorded = 0;
            foreach (var tenant in await new EventStore.Chain.ChainEntryReader(dataSources.App).TenantsAsync(ct))
                if (await SigningKeyRotation.RecordAsync(events.Store, tenant, keys, activeKid: null, reasons, now, ct) is not null) recorded++;
            await events.SealAsync(TimeSpan.FromSeconds(30), ct);
            await output.WriteLineAsync($"recorded in {recorded} tenant chain(s)");
            if (await history.ActiveKidAsync(ct) is null)
                await output.WriteLineAsync("the active key is revoked: nothing is signed until `ledger checkpoints rotate-key` makes a new key active");
            return 0;
        });
        return command;
    }

    private static string CurrentKid(string path, KeyProtection protection)
    {
        using var current = CheckpointKey.FromFile(path, protection);
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
