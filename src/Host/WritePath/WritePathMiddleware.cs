using Ledger.Host.Errors;

namespace Ledger.Host.WritePath;

/// <summary>
/// Runs every write (POST, PUT, PATCH, DELETE) of an endpoint marked with <see cref="WritePathMetadata"/> — a
/// Wolverine endpoint or a minimal API group alike — through its <see cref="WriteScope"/>: answers a retry from its
/// idempotency key, runs the endpoint while its command's session or appends go through the scope (each committing
/// with its audit entry and the key's claim), captures the answer and stores it under the key — or, when the command
/// is refused, records the refusal. The client gets the answer only once it is stored.
/// </summary>
/// <remarks>
/// Middleware rather than an endpoint filter: Wolverine's HTTP endpoints run no minimal API filters. It runs after
/// authentication, rate limiting and authorization (a refused token is audited by
/// <see cref="AuditedAuthorizationResultHandler"/>), right before the endpoint.
/// </remarks>
internal sealed class WritePathMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var endpoint = http.GetEndpoint();
        if (!IsWrite(http.Request.Method)
            || endpoint?.Metadata.GetMetadata<WritePathMetadata>() is not { } path
            || endpoint.Metadata.GetMetadata<NotAWrite>() is not null
            || !AuditRecorder.HasTenant(http))
        {
            await next(http); // no tenant means no chain to record in: the authorization policy refuses those first
            return;
        }

        var ct = http.RequestAborted;
        var scope = http.RequestServices.GetRequiredService<WriteScope>();
        try
        {
            if (await scope.BeginAsync(http, path, ct) is { } replay)
            {
                await replay.ExecuteAsync(http);
                return;
            }
            StoredResponse response;
            try
            {
                response = await StoredResponse.CaptureAsync(http, async () =>
                {
                    using (scope.Enter())
                        await next(http);
                });
            }
            catch (IdempotencyKeyTakenException)
            {
                await (await scope.TakenKeyAnswerAsync(ct)).ExecuteAsync(http); // nothing of this request was written
                return;
            }
            if (response.Status >= 400)
                await scope.RefuseAsync(response.Status, response.ProblemCode() ?? ProblemCodes.ForStatus(response.Status));
            else
                await scope.CompleteAsync(response, ct);
            await response.ExecuteAsync(http);
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
