using Ledger.Application.Invoicing;
using Ledger.EventStore.MartenStore;
using Ledger.Application.Invoicing.Settings;
using Ledger.Application.Invoicing.Stamping;
using Ledger.Application.Invoicing.VeriFactu;
using Ledger.Host.Auth;
using Ledger.EventStore;
using Ledger.Host.Configuration;
using Microsoft.Extensions.Options;
using Wolverine.Marten;

namespace Ledger.Host.Invoicing;

/// <summary>
/// Invoicing's composition: settings (issuer profiles, tax rules, exchange rates), the issuers, the fiscal authority
/// (the simulator unless another adapter is configured) behind its circuit breaker, the contingency signer, and the
/// stamping shard that queues issued invoices on Wolverine's stamping queue (<see cref="LedgerStamping"/>).
/// </summary>
public static class InvoicingServices
{
    public const string WriteInvoices = "invoices.write";
    public const string ReadInvoices = "invoices.read";
    public const string ReadVeriFactu = "verifactu.read";
    public const string WriteSettings = "invoicing.settings.write";
    public const string ReadSettings = "invoicing.settings.read";

    public static IServiceCollection AddLedgerInvoicing(this IServiceCollection services)
    {
        services.AddOptions<StampingOptions>().BindConfiguration(StampingOptions.Section)
            .Validate(o => o.Breaker.IsValid, $"{StampingOptions.Section}:Breaker: FailureRatio must be in (0, 1], "
                + "MinimumThroughput at least 2, SamplingDuration and BreakDuration between 0.5 s and 1 day.")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<StampingOptions>, StampingSettingsValidation>();
        services.AddOptions<InvoicingOptions>().BindConfiguration(InvoicingOptions.Section);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<StampingOptions>>().Value);
        services.AddSingleton(sp => new IssuerProfiles(sp.GetRequiredService<LedgerDataSources>().App,
            sp.GetRequiredService<IOptions<InvoicingOptions>>().Value.DevelopmentIssuerProfile
                // Its own append, never the request's: providing the default is not the command that needed it.
                ? new DevelopmentIssuerProfile(sp.GetRequiredService<MartenEventStore>(),
                    sp.GetRequiredService<TimeProvider>())
                : null));
        services.AddSingleton(sp => new TaxRuleBook(sp.GetRequiredService<LedgerDataSources>().App));
        services.AddSingleton(sp => new ExchangeRates(sp.GetRequiredService<LedgerDataSources>().App));
        services.AddSingleton<FiscalDocuments>();
        services.AddSingleton<InvoiceIssuer>();
        services.AddSingleton<CreditNoteIssuer>();
        services.AddSingleton<PaidOrderInvoicing>();
        services.AddSingleton<InvoicingSettings>();
        services.AddSingleton<VeriFactuPredecessor>();
        services.AddSingleton<SimulatedFiscalAuthority>();
        services.AddSingleton(sp => new GuardedFiscalAuthority(sp.GetRequiredService<SimulatedFiscalAuthority>(),
            sp.GetRequiredService<StampingOptions>().Breaker, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IFiscalAuthority>(sp =>
        {
            if (!sp.GetRequiredService<StampingOptions>().Breaker.Enabled) return sp.GetRequiredService<SimulatedFiscalAuthority>();
            var guarded = sp.GetRequiredService<GuardedFiscalAuthority>();
            StampingMetrics.Observe(guarded);
            return guarded;
        });
        // "ready" is the readiness tag of /health/ready (Health/HealthEndpoints).
        services.AddHealthChecks().AddCheck<FiscalAuthorityHealthCheck>("fiscal_authority", tags: ["ready"]);
        services.AddSingleton(sp => ContingencyKeys.Load(sp.GetRequiredService<IOptions<InvoicingOptions>>().Value,
            KeyProtectionOptions.Resolve(sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<IHostEnvironment>().EnvironmentName),
            sp.GetRequiredService<ILogger<ContingencySigner>>()));
        services.AddSingleton<DocumentStamper>();
        services.AddSingleton<StampingRun>();
        // The shard that queues each issued invoice (LedgerStamping: the queue and its handler); a page that failed
        // pauses it, and nothing issued after it would be stamped until it runs again.
        services.SubscribeToEventsWithServices<StampingSubscription>(ServiceLifetime.Singleton);
        SubscriptionWatchService.Add(services, StampingSubscription.ShardName, "invoices issued after it are not queued for stamping");
        services.AddAuthorizationBuilder()
            .AddPolicy(WriteInvoices, p => p.RequireAuthenticatedUser().RequireClaim(LedgerClaims.Tenant).RequireRole(LedgerRoles.Clerk))
            .AddPolicy(ReadInvoices, p => p.RequireAuthenticatedUser().RequireClaim(LedgerClaims.Tenant)
                .RequireRole(LedgerRoles.Clerk, LedgerRoles.Accountant, LedgerRoles.Auditor))
            .AddPolicy(ReadVeriFactu, p => p.RequireAuthenticatedUser().RequireClaim(LedgerClaims.Tenant)
                .RequireRole(LedgerRoles.Accountant, LedgerRoles.Auditor))
            .AddPolicy(WriteSettings, p => p.RequireAuthenticatedUser().RequireClaim(LedgerClaims.Tenant).RequireRole(LedgerRoles.TenantAdmin))
            .AddPolicy(ReadSettings, p => p.RequireAuthenticatedUser().RequireClaim(LedgerClaims.Tenant)
                .RequireRole(LedgerRoles.TenantAdmin, LedgerRoles.Accountant, LedgerRoles.Auditor));
        return services;
    }
}

/// <summary><c>Ledger:Invoicing</c>: the contingency key and the development issuer profile.</summary>
public sealed class InvoicingOptions
{
    public const string Section = "Ledger:Invoicing";

    /// <summary>PKCS#8 PEM of the ECDSA P-256 contingency key; generated there when missing. Unset: a key per process start.</summary>
    public string? ContingencyKeyPath { get; set; }

    /// <summary>
    /// Development only: a tenant without an issuer profile gets <see cref="DevelopmentIssuerProfile.Profile"/> at first use
    /// (an audited event), so a new tenant's paid orders are invoiced. On in appsettings.Development.json; never in production.
    /// </summary>
    public bool DevelopmentIssuerProfile { get; set; }
}

/// <summary>
/// Stops start-up on stamping settings that cannot work (<see cref="StampingOptions.Problems"/>) or that the table queue
/// had and Wolverine's queue has not (<see cref="StampingOptions.Retired"/>), naming each.
/// </summary>
internal sealed class StampingSettingsValidation(IConfiguration configuration) : IValidateOptions<StampingOptions>
{
    public ValidateOptionsResult Validate(string? name, StampingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.Problems().Select(p => $"{StampingOptions.Section}: {p}.")
            .Concat(StampingOptions.Retired.Where(r => configuration.GetSection(r.Key).Value is not null)
                .Select(r => $"{r.Key} is no longer a setting ({r.Value}); remove it."))
            .ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
