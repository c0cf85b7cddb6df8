namespace Ledger.Host.Errors;

/// <summary>A request refused before it reaches a handler: unreadable body, too large, bad headers.</summary>
public sealed class RequestRejectedException(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;

    public static RequestRejectedException Malformed(string detail) => new(StatusCodes.Status400BadRequest, ProblemCodes.Malformed, detail);

    public static RequestRejectedException TooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, ProblemCodes.TooLarge, $"The request body exceeds {limit} bytes.");
}
