using Ledger.Application;
using Ledger.Domain;
using Ledger.EventStore;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Ledger.Host.Errors;

/// <summary>
/// The one place exceptions become HTTP answers. Refusals are expected and answered with their code; anything
/// else is a 500 that tells the client nothing but the trace id to quote.
/// </summary>
internal sealed partial class LedgerExceptionHandler(ILogger<LedgerExceptionHandler> logger) : IExceptionHandler
{
    /// <summary>How long a client waits before retrying a 503: a saturated pool usually frees within a second or two.</summary>
    public const string RetryAfterSeconds = "2";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
            return true; // the client went away; there is nobody to answer

        var problem = ToProblem(exception);
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            LogUnavailable(logger, exception);
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds;
        }
        else if (problem.Status >= 500) LogUnexpected(logger, exception);
        else LogRefused(logger, problem.Status ?? 0, (string)problem.Extensions["code"]!);
        await Problems.WriteAsync(httpContext, problem, exception);
        return true;
    }

    /// <summary>The problem an exception is answered with; the write path records its status and code in the audit trail.</summary>
    internal static ProblemDetails ToProblem(Exception exception) => exception switch
    {
        _ when IsDatabaseUnavailable(exception) => Problems.Create(StatusCodes.Status503ServiceUnavailable, ProblemCodes.ServiceUnavailable,
            "Service unavailable", $"The database could not be reached in time; retry after {RetryAfterSeconds} seconds."),
        ValidationError validation => Validation(validation),
        // An operator's configuration is missing a retired master key (docs/privacy.md): nothing can be sealed for this
        // subject until it is back; the client's request was fine.
        EventStore.Privacy.MasterKeyMissingException => Problems.Create(StatusCodes.Status503ServiceUnavailable, ProblemCodes.MasterKeyMissing,
            "Service unavailable", "Personal data cannot be sealed now: this host lacks a master key the subject's key is wrapped under."),
        DomainError domain when domain.Code.EndsWith(".not_found", StringComparison.Ordinal) =>
            Problems.Create(StatusCodes.Status404NotFound, domain.Code, "Not found", domain.Message),
        DomainError domain => Problems.Create(StatusCodes.Status422UnprocessableEntity, domain.Code, "The command was refused", domain.Message),
        ConcurrencyException conflict => Conflict(conflict),
        RequestRejectedException rejected => Problems.Create(rejected.Status, rejected.Code, "The request was rejected", rejected.Message),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            Problems.Create(StatusCodes.Status413PayloadTooLarge, ProblemCodes.TooLarge, "The request body is too large"),
        BadHttpRequestException =>
            Problems.Create(StatusCodes.Status400BadRequest, ProblemCodes.Malformed, "The request is malformed"),
        _ => Problems.Create(StatusCodes.Status500InternalServerError, ProblemCodes.Internal, "Internal error",
            "The error was logged; quote the traceId when reporting it."),
    };

    /// <summary>
    /// The database is down, unreachable, or saturated (every pooled connection taken until the wait timed out): the
    /// request itself was fine and the same request later may well succeed. Npgsql marks those failures transient.
    /// </summary>
    private static bool IsDatabaseUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is NpgsqlException { IsTransient: true } and not PostgresException || e is PostgresException { SqlState: "53300" or "57P01" or "57P03" })
                return true;
        return false;
    }

    private static HttpValidationProblemDetails Validation(ValidationError error)
    {
        var problem = new HttpValidationProblemDetails(error.Errors.ToDictionary(e => e.Key, e => e.Value))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is invalid",
            Detail = error.Message,
        };
        problem.Extensions["code"] = error.Code;
        return problem;
    }

    private static ProblemDetails Conflict(ConcurrencyException conflict)
    {
        var problem = Problems.Create(StatusCodes.Status409Conflict, ProblemCodes.ConcurrencyConflict, "Concurrency conflict",
            "The resource changed since the version the request expected; read it again and retry.");
        problem.Extensions["actual_version"] = conflict.ActualVersion;
        return problem;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request answered 503: the database is unavailable")]
    private static partial void LogUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Request failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request refused with {Status} {Code}")]
    private static partial void LogRefused(ILogger logger, int status, string code);
}
