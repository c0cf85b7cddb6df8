using Ledger.Application.Invoicing.Stamping;

namespace Ledger.Host.Invoicing;

/// <summary>
/// Loads the contingency signing key, creating it when its file does not exist yet (readable by the owner only).
/// Without a configured path the key lives as long as the process: seals still verify (each carries its public key),
/// but an operator cannot tell this installation's seals from another's by key id across restarts.
/// </summary>
internal static partial class ContingencyKeys
{
    public static ContingencySigner Load(InvoicingOptions options, ILogger logger)
    {
        if (string.IsNullOrWhiteSpace(options.ContingencyKeyPath))
        {
            LogEphemeral(logger);
            return ContingencySigner.Generate();
        }
        var path = Path.GetFullPath(options.ContingencyKeyPath);
        if (File.Exists(path)) return ContingencySigner.FromPem(File.ReadAllText(path));

        var signer = ContingencySigner.Generate();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, signer.ExportPrivateKeyPem());
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        LogCreated(logger, path, signer.KeyId);
        return signer;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No Ledger:Invoicing:ContingencyKeyPath: contingency seals are signed with a key made for this process")]
    private static partial void LogEphemeral(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the contingency key {Path} (key id {KeyId})")]
    private static partial void LogCreated(ILogger logger, string path, string keyId);
}
