using Ledger.Application.Privacy;
using Ledger.EventStore.Privacy;
using Ledger.Host.Auth;
using Ledger.Host.Configuration;

namespace Ledger.Host.Privacy;

public static class PrivacyServices
{
    /// <summary>The data subjects' keys under the configured master key, reading personal data, and what erasure purges.</summary>
    public static IServiceCollection AddLedgerPrivacy(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var (configuration, environment) = (sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<IHostEnvironment>());
            return PrivacyOptions.Load(configuration, !environment.IsProduction(), KeyProtectionOptions.Resolve(configuration, environment.EnvironmentName));
        });
        services.AddSingleton<SubjectKeys>();
        services.AddSingleton<PersonalDataReader>();
        services.AddSingleton<IPersonalDataHolder, IdempotencyKeysHolder>();
        services.AddAuthorizationBuilder()
            .AddPolicy(ReadPersonalData, p => p.RequireAuthenticatedUser().RequireClaim(LedgerClaims.Tenant)
                .RequireRole(LedgerRoles.Clerk, LedgerRoles.PrivacyOfficer))
            .AddPolicy(ManageDataSubjects, p => p.RequireAuthenticatedUser().RequireClaim(LedgerClaims.Tenant).RequireRole(LedgerRoles.PrivacyOfficer));
        return services;
    }

    /// <summary>Who sees personal data where a read shows it (an order's customer): the clerks who serve them, and privacy officers.</summary>
    public const string ReadPersonalData = "personal_data.read";

    /// <summary>Access and erasure requests of data subjects.</summary>
    public const string ManageDataSubjects = "data_subjects.manage";
}
