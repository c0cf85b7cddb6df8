namespace Ledger.Host.Errors;

/// <summary>
/// The stable <c>code</c> of every problem the Host itself produces. Domain refusals carry the domain's own codes
/// (<c>order.not_paid</c>) and validation errors theirs (<c>validation.*</c>). Clients branch on these: never rename one.
/// </summary>
public static class ProblemCodes
{
    public const string Unauthenticated = "auth.unauthenticated";
    public const string Forbidden = "auth.forbidden";
    public const string Malformed = "request.malformed";
    public const string TooLarge = "request.too_large";
    public const string UnsupportedMediaType = "request.unsupported_media_type";
    public const string InvalidIfMatch = "request.invalid_if_match";
    public const string ConcurrencyConflict = "concurrency.conflict";
    public const string IdempotencyKeyInvalid = "idempotency.invalid_key";
    public const string IdempotencyKeyReused = "idempotency.key_reused";
    public const string IdempotencyResponseUnavailable = "idempotency.response_unavailable";
    public const string OrderNotFound = "order.not_found";
    public const string RouteNotFound = "http.not_found";
    public const string MethodNotAllowed = "http.method_not_allowed";
    public const string Internal = "internal";
    public const string ServiceUnavailable = "service.unavailable";
    public const string MasterKeyMissing = "privacy.master_key_missing";

    /// <summary>The code for a bare status code (an unknown route, a wrong method) that no code of ours set.</summary>
    public static string ForStatus(int status) => status switch
    {
        StatusCodes.Status400BadRequest => Malformed,
        StatusCodes.Status401Unauthorized => Unauthenticated,
        StatusCodes.Status403Forbidden => Forbidden,
        StatusCodes.Status404NotFound => RouteNotFound,
        StatusCodes.Status405MethodNotAllowed => MethodNotAllowed,
        StatusCodes.Status413PayloadTooLarge => TooLarge,
        StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType,
        StatusCodes.Status503ServiceUnavailable => ServiceUnavailable,
        >= 500 => Internal,
        _ => "http." + status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
