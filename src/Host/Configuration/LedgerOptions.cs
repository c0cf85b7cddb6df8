namespace Ledger.Host.Configuration;

/// <summary><c>Ledger:Database</c>: where the event store lives and how the app reaches it.</summary>
public sealed class LedgerDatabaseOptions
{
    public const string Section = "Ledger:Database";

    /// <summary>The PostgreSQL schema holding the store; the app connection's search path.</summary>
    public string Schema { get; set; } = "ledger";

    /// <summary>The role the app connects as; migrations grant it its (append-only) rights.</summary>
    public string AppRole { get; set; } = "ledger_app";

    /// <summary>Apply migrations with the admin connection when the app starts.</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>Create the app's login role when missing (development and tests only; a DBA does it elsewhere).</summary>
    public bool EnsureAppRole { get; set; }
}

/// <summary><c>Ledger:Auth</c>: how bearer tokens are issued (dev) and validated.</summary>
public sealed class LedgerAuthOptions
{
    public const string Section = "Ledger:Auth";
    public const string DefaultSigningKeyPath = "keys/dev-signing-key.pem";

    public string Issuer { get; set; } = "ledger-dev";

    public string Audience { get; set; } = "ledger-api";

    /// <summary>PKCS#8 PEM private key; a relative path is under <c>Ledger:DataDirectory</c>. Generated when missing in development.</summary>
    public string SigningKeyPath { get; set; } = DefaultSigningKeyPath;

    /// <summary>
    /// A public key (SubjectPublicKeyInfo PEM; a relative path is under <c>Ledger:DataDirectory</c>) to validate tokens with. When set, the app needs no private key:
    /// production validates tokens that some other party signs.
    /// </summary>
    public string? PublicKeyPath { get; set; }
}
