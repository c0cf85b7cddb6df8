using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Ledger.Host.Logging;

/// <summary>
/// Structured JSON logs on stdout with trace, span and correlation ids. What is never logged: request or
/// response bodies, query strings, headers (tokens), and personal data.
/// </summary>
public static class LoggingSetup
{
    public static IServiceCollection AddLedgerLogging(this IServiceCollection services)
    {
        services.AddSingleton<TraceActivityListener>();
        services.AddHostedService(sp => sp.GetRequiredService<TraceActivityListener>());
        return services.AddSerilog((sp, logger) => logger
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Extensions.Hosting", LogEventLevel.Information)
            // No cookies or antiforgery are used: data protection's warning about unencrypted keys is noise here.
            .MinimumLevel.Override("Microsoft.AspNetCore.DataProtection", LogEventLevel.Error)
            .ReadFrom.Configuration(sp.GetRequiredService<IConfiguration>())
            // Marten logs every failed save at Error, an append that lost a race included; Ledger answers those (409, or a
            // retry of an "any version" append), so they are not errors of the service. Other Marten failures stay.
            .Filter.ByExcluding(e => e.Exception is { } error && Ledger.EventStore.MartenStore.LedgerMarten.IsConflict(error))
            .Enrich.FromLogContext()
            .Enrich.With<DropRequestPathEnricher>()
            .Enrich.WithProperty("Application", "ledger")
            .WriteTo.Console(new RenderedCompactJsonFormatter()),
            preserveStaticLogger: true);
    }

    /// <summary>
    /// The source context Serilog gives the one line per request, so an operator can raise or lower it alone:
    /// <c>Serilog:MinimumLevel:Override:Serilog.AspNetCore.RequestLoggingMiddleware=Debug</c> logs every request.
    /// </summary>
    public const string RequestLogSource = "Serilog.AspNetCore.RequestLoggingMiddleware";

    /// <summary><c>Ledger:Logging:SlowRequestMilliseconds</c>: a request slower than this is logged at Warning whatever its status.</summary>
    public const string SlowRequestSetting = "Ledger:Logging:SlowRequestMilliseconds";

    public const double DefaultSlowRequestMilliseconds = 1000;

    public static IApplicationBuilder UseLedgerRequestLogging(this IApplicationBuilder app)
    {
        var slowMs = app.ApplicationServices.GetRequiredService<IConfiguration>().GetValue(SlowRequestSetting, DefaultSlowRequestMilliseconds);
        return app.UseSerilogRequestLogging(options =>
        {
            // This app's logger, not the static one (which tests running several hosts leave untouched).
            options.Logger = app.ApplicationServices.GetRequiredService<Serilog.ILogger>();
            options.MessageTemplate = "HTTP {RequestMethod} {RouteTemplate} responded {StatusCode} in {Elapsed:0.0000} ms";
            options.GetLevel = (http, elapsedMs, exception) => RequestLevel(http.Response.StatusCode, elapsedMs, exception, slowMs);
            // The path is left out on purpose: the route template says what was called without the ids in it.
            options.GetMessageTemplateProperties = (http, _, elapsed, status) =>
            [
                new LogEventProperty("RequestMethod", new ScalarValue(http.Request.Method)),
                new LogEventProperty("RouteTemplate", new ScalarValue(RequestLogContextMiddleware.RouteTemplate(http))),
                new LogEventProperty("StatusCode", new ScalarValue(status)),
                new LogEventProperty("Elapsed", new ScalarValue(elapsed)),
            ];
        });
    }

    /// <summary>
    /// How loud a request's line is. A successful, timely request is Debug: at the default level it costs a level check,
    /// not a JSON line on a synchronous console at every request (at saturation that line was a measurable share of the
    /// Host's CPU, and a slow log reader stalls every request behind it); the request metrics still count it. What an
    /// operator has to see stays: refusals (4xx, security-relevant: 401, 403, 429) at Information, slow requests at
    /// Warning, failures at Error.
    /// </summary>
    public static LogEventLevel RequestLevel(int status, double elapsedMs, Exception? exception, double slowMs = DefaultSlowRequestMilliseconds) =>
        exception is not null || status >= 500 ? LogEventLevel.Error
        : elapsedMs > slowMs ? LogEventLevel.Warning
        : status >= 400 ? LogEventLevel.Information
        : LogEventLevel.Debug;
}
