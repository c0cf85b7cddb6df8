using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ledger.Host.Errors;

/// <summary>RFC 9457 problem details as Ledger writes them: always with <c>code</c> and <c>traceId</c>.</summary>
public static class Problems
{
    public static IServiceCollection AddLedgerProblemDetails(this IServiceCollection services)
    {
        services.AddExceptionHandler<LedgerExceptionHandler>();
        services.AddProblemDetails();
        // Ours is the only writer: the framework's writes nothing for a client that does not accept JSON.
        services.RemoveAll<IProblemDetailsWriter>();
        return services.AddSingleton<IProblemDetailsWriter, ProblemWriter>();
    }

    public static string TraceId(HttpContext http) =>
        Activity.Current is { } activity ? activity.TraceId.ToHexString() : http?.TraceIdentifier ?? "";

    public static ProblemDetails Create(int status, string code, string title, string? detail = null)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        problem.Extensions["code"] = code;
        return problem;
    }

    /// <summary>A problem as an endpoint's typed result.</summary>
    public static ProblemHttpResult Result(int status, string code, string title, string? detail = null) =>
        TypedResults.Problem(Create(status, code, title, detail));

    public static async Task WriteAsync(HttpContext http, int status, string code, string title, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        await WriteAsync(http, Create(status, code, title, detail));
    }

    public static async Task WriteAsync(HttpContext http, ProblemDetails problem, Exception? exception = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(problem);
        http.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        var service = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await service.WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }
}
