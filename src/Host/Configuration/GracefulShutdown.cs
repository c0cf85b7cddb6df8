namespace Ledger.Host.Configuration;

/// <summary>
/// <c>Ledger:Shutdown:TimeoutSeconds</c> (default 30): on SIGTERM the Host stops accepting connections, lets the
/// requests in flight finish and the background services stop (their leases released, a batch either committed or
/// rolled back) for at most this long, then exits. Give the orchestrator's grace period a few seconds more
/// (docker-compose.yml: stop_grace_period).
/// </summary>
public static class GracefulShutdown
{
    public const string TimeoutKey = "Ledger:Shutdown:TimeoutSeconds";
    public const int DefaultTimeoutSeconds = 30;

    public static IServiceCollection AddLedgerGracefulShutdown(this IServiceCollection services)
    {
        services.AddOptions<HostOptions>().Configure<IConfiguration>((host, configuration) =>
        {
            var seconds = configuration.GetValue(TimeoutKey, DefaultTimeoutSeconds);
            if (seconds is < 1 or > 3600) throw new InvalidOperationException($"{TimeoutKey} must be between 1 and 3600.");
            host.ShutdownTimeout = TimeSpan.FromSeconds(seconds);
        });
        return services;
    }
}
