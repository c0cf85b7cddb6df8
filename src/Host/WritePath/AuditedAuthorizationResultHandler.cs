using Ledger.Host.Errors;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Ledger.Host.WritePath;

/// <summary>
/// A write refused for the caller's role (403) never reaches its endpoint, so its audit entry is recorded here,
/// where authorization decides. A request without a valid token (401) has no tenant anyone can trust, so it belongs
/// to no tenant's chain: it is only logged.
/// </summary>
internal sealed partial class AuditedAuthorizationResultHandler(AuditRecorder recorder, ILogger<AuditedAuthorizationResultHandler> logger)
    : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        var endpoint = context.GetEndpoint();
        if (!authorizeResult.Succeeded
            && WritePathMiddleware.IsWrite(context.Request.Method)
            && endpoint?.Metadata.GetMetadata<WritePathMetadata>() is { } path
            && endpoint.Metadata.GetMetadata<NotAWrite>() is null)
        {
            if (authorizeResult.Forbidden && AuditRecorder.HasTenant(context))
                await recorder.RecordRefusalAsync(context, path, StatusCodes.Status403Forbidden, ProblemCodes.Forbidden);
            else
                LogNotAudited(logger, AuditRecorder.ActionOf(context));
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unauthenticated write refused ({Action}); not audited: no trusted tenant")]
    private static partial void LogNotAudited(ILogger logger, string action);
}
