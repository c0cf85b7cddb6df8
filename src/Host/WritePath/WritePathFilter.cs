using Ledger.Host.Errors;

namespace Ledger.Host.WritePath;

/// <summary>
/// Runs every write (POST, PUT, PATCH, DELETE) of a group marked with <see cref="WritePathMetadata"/> through its
/// <see cref="WriteScope"/>: answers a retry from its idempotency key, runs the endpoint with its appends held in the
/// scope's transaction, captures the answer, and then commits the events, the audit entry and the key together — or,
/// when the command is refused, rolls back and records the refusal. The client gets the answer only after the commit.
/// </summary>
internal sealed class WritePathFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var endpoint = http.GetEndpoint();
        if (!IsWrite(http.Request.Method)
            || endpoint?.Metadata.GetMetadata<WritePathMetadata>() is not { } path
            || endpoint.Metadata.GetMetadata<NotAWrite>() is not null
            || !AuditRecorder.HasTenant(http))
            return await next(context); // no tenant means no chain to record in: the authorization policy refuses those first

        var ct = http.RequestAborted;
        var scope = http.RequestServices.GetRequiredService<WriteScope>();
        try
        {
            if (await scope.BeginAsync(http, path, ct) is { } replay) return replay;
            object? result;
            using (scope.Enter())
                result = await next(context);
            var response = await StoredResponse.CaptureAsync(http, result);
            if (response.Status >= 400)
                await scope.RefuseAsync(response.Status, response.ProblemCode() ?? ProblemCodes.ForStatus(response.Status));
            else
                await scope.CompleteAsync(response, ct);
            return response;
        }
        catch (Exception e) when (!(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            var problem = LedgerExceptionHandler.ToProblem(e);
            var status = problem.Status ?? StatusCodes.Status500InternalServerError;
            await scope.RefuseAsync(status, problem.Extensions.TryGetValue("code", out var code) && code is string c ? c : ProblemCodes.ForStatus(status));
            throw;
        }
    }

    public static bool IsWrite(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);
}
