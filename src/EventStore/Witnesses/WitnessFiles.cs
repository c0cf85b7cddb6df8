namespace Ledger.EventStore.Witnesses;

/// <summary>The file layout of a witness directory, shared by the writer and <c>ledger verify --witness</c>.</summary>
public static class WitnessFiles
{
    public const string JwsExtension = ".jws";
    public const string NoteExtension = ".note";

    /// <summary>
    /// The tenant's folder name: the tenant id itself, which must be a safe file name (letters, digits, '.', '_', '-',
    /// not starting with a dot). Anything else is refused rather than escaped, so one name never maps to two folders.
    /// </summary>
    public static string TenantFolder(string tenantId) =>
        tenantId is { Length: > 0 and <= 200 } && tenantId[0] != '.' && tenantId.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')
            ? tenantId
            : throw new ArgumentException($"tenant id '{tenantId}' is not usable as a witness folder name", nameof(tenantId));
}
