using Ledger.Application.Orders;
using Ledger.EventStore;
using Ledger.Host.Auth;
using Ledger.Host.Configuration;
using Ledger.Host.Errors;
using Ledger.Host.Health;
using Ledger.Host.Http;
using Ledger.Host.Logging;
using Ledger.Host.Orders;

namespace Ledger.Host;

/// <summary>
/// Composes the web app. Settings are read when services are first resolved, not while registering them,
/// so a test host's configuration overrides apply to everything.
/// </summary>
public static class LedgerWebApp
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        LedgerConfiguration.AddBaseDirectoryDefaults(builder.Configuration, builder.Environment.EnvironmentName);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 1024 * 1024;
        });

        builder.Services.AddLedgerLogging();
        builder.Services.AddLedgerOptions();
        builder.Services.AddLedgerDatabase();
        builder.Services.AddLedgerAuth();
        builder.Services.AddLedgerProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(json => LedgerJson.Configure(json.SerializerOptions));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IEventStore>(sp => new PostgresEventStore(sp.GetRequiredService<LedgerDataSources>().App));
        builder.Services.AddSingleton<OrderHandler>();
        builder.Services.AddLedgerHealthChecks();

        var app = builder.Build();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseMiddleware<CorrelationIdMiddleware>();
        app.UseLedgerRequestLogging();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseAuthentication();
        app.UseMiddleware<RequestLogContextMiddleware>();
        app.UseAuthorization();

        app.MapLedgerHealth();
        app.MapOrders();
        return app;
    }
}
