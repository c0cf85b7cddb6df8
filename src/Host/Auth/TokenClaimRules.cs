using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Ledger.Host.Auth;

/// <summary>
/// What a signature-valid token must also carry. The JWT handler checks signature, issuer, audience and
/// lifetime; it does not insist that optional claims are present, so this does.
/// </summary>
public static partial class TokenClaimRules
{
    private static readonly string[] Required = ["iss", "aud", "sub", "exp", "iat", "nbf", "jti"];

    /// <summary>Null when the token is acceptable, else why not (for the server log, never for the client).</summary>
    public static string? Violation(JsonWebToken? token, ClaimsPrincipal? principal)
    {
        if (token is null || principal is null) return "not a JWT";
        if (string.IsNullOrEmpty(token.Kid)) return "no kid header";
        foreach (var name in Required)
            if (!principal.Claims.Any(c => c.Type == name && c.Value.Length > 0)) return $"no {name} claim";

        if (principal.FindAll(LedgerClaims.Subject).Count() != 1) return "more than one sub claim";
        var tenants = principal.FindAll(LedgerClaims.Tenant).ToList();
        if (tenants.Count != 1) return "missing or repeated tenant claim";
        if (tenants[0].ValueType != ClaimValueTypes.String || !TenantId().IsMatch(tenants[0].Value))
            return "tenant claim is not a tenant id";
        var roles = principal.FindAll(LedgerClaims.Roles).ToList();
        if (roles.Count == 0 || roles.Any(r => r.Value.Length == 0)) return "missing or empty roles claim";
        return null;
    }

    /// <summary>Tenant ids lead every key in the store: short, printable, no separators that need quoting.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    public static partial Regex TenantId();
}
