namespace Ledger.Host.Configuration;

public static class LedgerServices
{
    public static IServiceCollection AddLedgerOptions(this IServiceCollection services)
    {
        services.AddOptions<LedgerDatabaseOptions>().BindConfiguration(LedgerDatabaseOptions.Section);
        services.AddOptions<LedgerAuthOptions>().BindConfiguration(LedgerAuthOptions.Section);
        return services;
    }

    public static IServiceCollection AddLedgerDatabase(this IServiceCollection services)
    {
        services.AddSingleton(sp => LedgerDataSources.Create(sp.GetRequiredService<IConfiguration>()));
        services.AddHostedService<MigrateOnStart>();
        return services;
    }
}
