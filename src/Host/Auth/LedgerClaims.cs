using System.Security.Claims;

namespace Ledger.Host.Auth;

/// <summary>The token claims Ledger reads. Inbound claim mapping is off, so these are the JWT names as sent.</summary>
public static class LedgerClaims
{
    public const string Subject = "sub";
    public const string Tenant = "tenant";
    public const string Roles = "roles";

    /// <summary>The caller's tenant. Only ever from the validated token, never from a request.</summary>
    public static string TenantId(this ClaimsPrincipal user) =>
        user?.FindFirst(Tenant)?.Value ?? throw new InvalidOperationException("The request is not authenticated with a tenant.");

    public static string Actor(this ClaimsPrincipal user) =>
        user?.FindFirst(Subject)?.Value ?? throw new InvalidOperationException("The request is not authenticated.");
}

/// <summary>The roles a token may carry; each domain action requires one of them.</summary>
public static class LedgerRoles
{
    public const string Clerk = "clerk";
    public const string Accountant = "accountant";
    public const string Auditor = "auditor";
    public const string Operator = "operator";

    /// <summary>Answers data subjects' requests: reads everything kept about a person, and erases it.</summary>
    public const string PrivacyOfficer = "privacy_officer";

    /// <summary>Manages the tenant's own settings (invoicing: issuer profile, tax rules, exchange rates).</summary>
    public const string TenantAdmin = "tenant_admin";
}
