using System.CommandLine;
using Ledger.Host.Auth;
using Ledger.Host.Configuration;

namespace Ledger.Host.Cli;

/// <summary><c>ledger token --role clerk --tenant acme</c>: a signed development token, generating the dev key if needed.</summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var roles = new Option<string[]>("--role")
        {
            Description = "A role the token grants; repeat for several.",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
        };
        roles.AcceptOnlyFromAmong(LedgerRoles.Clerk, LedgerRoles.Accountant, LedgerRoles.Auditor, LedgerRoles.Operator, LedgerRoles.TenantAdmin, LedgerRoles.PrivacyOfficer);
        var tenant = new Option<string>("--tenant") { Description = "The tenant the token acts for.", Required = true };
        var subject = new Option<string>("--sub") { Description = "Who the token identifies.", DefaultValueFactory = _ => "dev" };
        var ttl = new Option<int>("--ttl-minutes") { Description = "Minutes until it expires.", DefaultValueFactory = _ => 60 };

        var command = new Command("token", "Print a signed development JWT.") { roles, tenant, subject, ttl };
        command.SetAction(parse =>
        {
            var tenantId = parse.GetRequiredValue(tenant);
            var minutes = parse.GetValue(ttl);
            var sub = parse.GetValue(subject) ?? "dev";
            if (!TokenClaimRules.TenantId().IsMatch(tenantId) || minutes is < 1 or > 24 * 60 || sub.Length is 0 or > 128)
            {
                parse.InvocationConfiguration.Error.WriteLine(
                    "token: --tenant must be letters, digits and . _ - (at most 64); --ttl-minutes between 1 and 1440; --sub 1 to 128 characters.");
                return 2;
            }

            var environment = LedgerConfiguration.CliEnvironmentName();
            var configuration = LedgerConfiguration.ForCli(environment);
            var auth = LedgerConfiguration.Auth(configuration);
            using var keys = SigningKeyFiles.Load(auth, configuration, environment == Environments.Development,
                KeyProtectionOptions.Resolve(configuration, environment));
            var token = DevTokenIssuer.Issue(keys, auth, tenantId, parse.GetRequiredValue(roles).Distinct().ToList(), sub,
                TimeSpan.FromMinutes(minutes), TimeProvider.System.GetUtcNow());
            parse.InvocationConfiguration.Output.WriteLine(token);
            return 0;
        });
        return command;
    }
}
