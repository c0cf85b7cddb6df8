using System.CommandLine;
using System.Security.Cryptography;
using Ledger.EventStore.Keys;
using Ledger.Host.Auditing;
using Ledger.Host.Configuration;

namespace Ledger.Host.Cli;

/// <summary>
/// <c>ledger keys encrypt [--new-passphrase-file F]</c>: rewrites the private key files on disk (the token signing
/// key, the checkpoint signing key, the invoices' contingency key, the privacy master key) encrypted under a passphrase — the configured one (<c>Ledger:Keys</c>), or the
/// new one given, which rotates it. The keys themselves do not change, so nothing they signed needs signing again;
/// each file is replaced in one move, and hosts read it with the passphrase they are configured with at their next start.
/// </summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var command = new Command("keys", "The private keys on disk.");
        var newPassphrase = new Option<string?>("--new-passphrase-file") { Description = "A file (owner-only) holding the passphrase to encrypt under from now on." };
        var encrypt = new Command("encrypt", "Encrypt the key files under the configured passphrase, or re-encrypt them under a new one.") { newPassphrase };
        encrypt.SetAction((parse, ct) =>
        {
            var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            try
            {
                var configuration = LedgerConfiguration.ForCli(LedgerConfiguration.CliEnvironmentName());
                var current = KeyProtectionOptions.Resolve(configuration, LedgerConfiguration.CliEnvironmentName()) with { RequireEncrypted = false };
                var target = current;
                if (parse.GetValue(newPassphrase) is { } file)
                {
                    target = new KeyProtection(KeyProtectionOptions.ReadPassphraseFile(Path.GetFullPath(file)));
                }
                if (string.IsNullOrEmpty(target.Passphrase) || target.Passphrase.Length < 12)
                {
                    error.WriteLine("keys encrypt: a passphrase of 12 characters or more is needed (Ledger:Keys:Passphrase, PassphraseFile, or --new-passphrase-file).");
                    return Task.FromResult(2);
                }
                var auth = LedgerConfiguration.Auth(configuration);
                var checkpoints = configuration.GetSection(CheckpointOptions.Section).Get<CheckpointOptions>() ?? new();
                var files = new (string Path, Func<AsymmetricAlgorithm> Create)[]
                {
                    (LedgerDataDirectory.ResolvePath(configuration, auth.SigningKeyPath), RSA.Create),
                    (CheckpointKeyProvider.KeyPath(checkpoints, configuration), () => ECDsa.Create()),
                };
                if (configuration.GetSection("Ledger:Invoicing:ContingencyKeyPath").Value is { Length: > 0 } contingency)
                    files = [.. files, (Path.GetFullPath(contingency), () => ECDsa.Create())];
                foreach (var (path, create) in files.Where(f => File.Exists(f.Path)))
                {
                    using var key = create();
                    PrivateKeyFile.Import(key, path, current);
                    PrivateKeyFile.Write(path, key, target, replace: true);
                    output.WriteLine($"encrypted {path}");
                }
                // The privacy master key (docs/privacy.md): a secret, not a key pair, in the same care.
                if (Privacy.PrivacyOptions.KeyPath(configuration) is var master && File.Exists(master))
                {
                    SecretKeyFile.Write(master, SecretKeyFile.Read(master, current), target, replace: true);
                    output.WriteLine($"encrypted {master}");
                }
                return Task.FromResult(0);
            }
            catch (UnsafeKeyFileException e)
            {
                error.WriteLine($"keys encrypt: {e.Message}");
                return Task.FromResult(1);
            }
        });
        command.Subcommands.Add(encrypt);
        return command;
    }
}
