using Ledger.Host.Events;
using Ledger.EventStore;
using Ledger.Host.Auditing;
using Ledger.Host.Auth;
using Ledger.Host.Configuration;
using Ledger.Host.Errors;
using Ledger.Host.Health;
using Ledger.Host.Invoicing;
using Ledger.Host.Http;
using Ledger.Host.Logging;
using Ledger.Host.Messaging;
using Ledger.Host.Observability;
using Ledger.Host.OpenApi;
using Ledger.Host.RateLimiting;
using Ledger.Host.ReadModels;
using Ledger.Host.Witnesses;
using Ledger.Host.Privacy;
using Ledger.Host.WritePath;
using Wolverine;
using Wolverine.Http;

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
            KestrelRejectionHeaders.Add(kestrel);
        });

        // Wolverine's runtime beside today's code: no handlers, routes or listeners of its own yet (LedgerWolverine).
        builder.Host.UseWolverine(LedgerWolverine.Configure);
        builder.Services.AddLedgerLogging();
        builder.Services.AddLedgerTelemetry();
        builder.Services.AddLedgerGracefulShutdown();
        builder.Services.AddLedgerEdge();
        builder.Services.AddLedgerRateLimiting();
        builder.Services.AddLedgerOpenApi();
        builder.Services.AddWolverineHttp();
        builder.Services.AddLedgerOptions();
        builder.Services.AddLedgerDatabase();
        builder.Services.AddLedgerAuth();
        builder.Services.AddLedgerProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(json => LedgerJson.Configure(json.SerializerOptions));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddLedgerEventStore();
        builder.Services.AddLedgerWritePath(); // decorates the IEventStore above: appends of write requests join their audit entry
        // Still the order path of paid-order invoicing and the payment consumers (moving onto OrderCommandHandler next).
        builder.Services.AddLedgerInvoicing();
        builder.Services.AddLedgerHealthChecks();
        builder.Services.AddLedgerMessaging();
        builder.Services.AddLedgerAuditor();
        builder.Services.AddLedgerWitnesses();
        builder.Services.AddLedgerReadModels();
        builder.Services.AddLedgerPrivacy();

        var app = builder.Build();
        app.UseLedgerForwardedHeaders();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseMiddleware<CorrelationIdMiddleware>();
        app.UseLedgerRequestLogging();
        app.UseLedgerRequestTelemetry();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseLedgerCors();
        app.UseAuthentication();
        app.UseMiddleware<RequestLogContextMiddleware>();
        app.UseLedgerRateLimiting();
        app.UseAuthorization();
        app.UseLedgerWritePath();

        app.MapLedgerHealth();
        app.MapLedgerMetrics();
        app.MapLedgerOpenApi();
        app.MapLedgerApiReference();
        app.MapLedgerVerifierPage();
        app.MapWolverineEndpoints(); // orders, invoices, invoicing settings, the auditor API (Orders/, Invoicing/, Ledger/)
        app.MapReadModels();
        return app;
    }
}
