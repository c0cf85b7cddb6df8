namespace Ledger.Messaging.DeadLetters;

/// <summary>A message in a consumer's dead-letter queue, with why it is there (the x-ledger-* headers).</summary>
public sealed record DeadLetter(
    string Consumer,
    string MessageId,
    string? MessageType,
    string? ErrorType,
    string? ErrorCode,
    string? ErrorMessage,
    int Attempts,
    string? FailedAt,
    string OriginalQueue,
    string Body);
