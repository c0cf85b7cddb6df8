namespace Ledger.Host.WritePath;

/// <summary>
/// A concurrent request with the same key (in another process) committed its claim first; this request's transaction
/// rolled back, having written nothing. <see cref="WritePathMiddleware"/> answers it with that request's answer.
/// </summary>
internal sealed class IdempotencyKeyTakenException() : Exception("The idempotency key was claimed by a concurrent request.");
