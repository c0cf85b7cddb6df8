using Ledger.Host.Errors;

namespace Ledger.Host.WritePath;

/// <summary>
/// Runs every write (POST, PUT, PATCH, DELETE) of a group marked with <see cref="WritePathMetadata"/> through its
/// <see cref="WriteScope"/>: answers a retry from its idempotency key, runs the endpoint while its appends go through
/// the scope (each committing with its audit entry and the key's claim), captures the answer and stores it under the
/// key — or, when the command is refused, records the refusal. The client gets the answer only once it is stored.
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
            StoredResponse response;
            try
            {
                response = await StoredResponse.CaptureAsync(http, async () =>
                {
                    using (scope.Enter())
                        return await next(context);
                });
            }
            catch (IdempotencyKeyTakenException)
            {
                return await scope.TakenKeyAnswerAsync(ct); // nothing of this request was written
            }
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
