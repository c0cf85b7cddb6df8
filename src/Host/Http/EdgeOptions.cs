namespace Ledger.Host.Http;

/// <summary><c>Ledger:Http</c>: what the Host trusts about the proxy in front of it, and HSTS.</summary>
public sealed class LedgerHttpOptions
{
    public const string Section = "Ledger:Http";

    /// <summary>
    /// Proxies (addresses, or networks in CIDR notation) whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are
    /// believed: the client address that rate limits count, and whether the client spoke HTTPS (HSTS). Empty: none,
    /// the connection's own address and scheme count.
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary><c>Strict-Transport-Security</c> max-age on responses to HTTPS requests (direct or forwarded); 0: no HSTS.</summary>
    public int HstsMaxAgeSeconds { get; set; } = 365 * 24 * 60 * 60;
}

/// <summary><c>Ledger:Cors</c>: closed unless origins are named.</summary>
public sealed class LedgerCorsOptions
{
    public const string Section = "Ledger:Cors";

    /// <summary>Browser origins (<c>https://books.example.com</c>) allowed to call the API. Empty (the default): none.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    public static bool IsValid(LedgerCorsOptions options) =>
        options?.AllowedOrigins.All(origin => Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && uri.Scheme is "https" or "http" && uri.AbsolutePath == "/" && origin.TrimEnd('/') == uri.GetLeftPart(UriPartial.Authority)) == true;
}
