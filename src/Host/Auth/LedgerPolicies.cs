using Microsoft.AspNetCore.Authorization;

namespace Ledger.Host.Auth;

/// <summary>One policy per domain action, each naming the roles allowed to take it.</summary>
public static class LedgerPolicies
{
    public const string WriteOrders = "orders.write";
    public const string ReadOrder = "orders.read";
    public const string ReadReports = "reports.read";
    public const string ReadLedger = "ledger.read";
    public const string RunMaintenance = "maintenance.run";

    public static AuthorizationBuilder AddLedgerPolicies(this AuthorizationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .AddPolicy(WriteOrders, p => Base(p).RequireRole(LedgerRoles.Clerk))
            .AddPolicy(ReadOrder, p => Base(p).RequireRole(LedgerRoles.Clerk, LedgerRoles.Accountant))
            .AddPolicy(ReadReports, p => Base(p).RequireRole(LedgerRoles.Accountant))
            .AddPolicy(ReadLedger, p => Base(p).RequireRole(LedgerRoles.Auditor))
            .AddPolicy(RunMaintenance, p => Base(p).RequireRole(LedgerRoles.Operator));
    }

    private static AuthorizationPolicyBuilder Base(AuthorizationPolicyBuilder policy) =>
        policy.RequireAuthenticatedUser().RequireClaim(LedgerClaims.Tenant);
}
