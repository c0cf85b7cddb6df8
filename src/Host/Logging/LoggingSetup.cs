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
            .Enrich.FromLogContext()
            .Enrich.With<DropRequestPathEnricher>()
            .Enrich.WithProperty("Application", "ledger")
            .WriteTo.Console(new RenderedCompactJsonFormatter()),
            preserveStaticLogger: true);
    }

    public static IApplicationBuilder UseLedgerRequestLogging(this IApplicationBuilder app) =>
        app.UseSerilogRequestLogging(options =>
        {
            // This app's logger, not the static one (which tests running several hosts leave untouched).
            options.Logger = app.ApplicationServices.GetRequiredService<Serilog.ILogger>();
            options.MessageTemplate = "HTTP {RequestMethod} {RouteTemplate} responded {StatusCode} in {Elapsed:0.0000} ms";
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
