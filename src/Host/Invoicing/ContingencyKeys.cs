using Ledger.Application.Invoicing.Stamping;

namespace Ledger.Host.Invoicing;

/// <summary>
/// Loads the contingency signing key, creating it when its file does not exist yet (owner-only, and encrypted under
/// the configured passphrase: <see cref="Ledger.EventStore.Keys.PrivateKeyFile"/>).
/// Without a configured path the key lives as long as the process: seals still verify (each carries its public key),
/// but an operator cannot tell this installation's seals from another's by key id across restarts.
/// </summary>
internal static partial class ContingencyKeys
{
    public static ContingencySigner Load(InvoicingOptions options, Ledger.EventStore.Keys.KeyProtection protection, ILogger logger)
    {
        if (string.IsNullOrWhiteSpace(options.ContingencyKeyPath))
        {
            LogEphemeral(logger);
            return ContingencySigner.Generate();
        }
        var path = Path.GetFullPath(options.ContingencyKeyPath);
        if (File.Exists(path)) return ContingencySigner.FromFile(path, protection);

        using (var created = ContingencySigner.Generate())
            created.WriteTo(path, protection);
        var signer = ContingencySigner.FromFile(path, protection); // another process may have written its key first
        LogCreated(logger, path, signer.KeyId);
        return signer;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No Ledger:Invoicing:ContingencyKeyPath: contingency seals are signed with a key made for this process")]
    private static partial void LogEphemeral(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the contingency key {Path} (key id {KeyId})")]
    private static partial void LogCreated(ILogger logger, string path, string keyId);
}
