namespace Ledger.Host.WritePath;

/// <summary><c>Ledger:Idempotency</c>: how long a write's <c>Idempotency-Key</c> is remembered.</summary>
public sealed class IdempotencyOptions
{
    public const string Section = "Ledger:Idempotency";

    /// <summary>
    /// How long a key and its response are kept (<c>1.00:00:00</c> = 24 hours). A retry within the window gets the
    /// original response; after it, the same key is a new request.
    /// </summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often expired keys are deleted.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromMinutes(15);

    internal static bool IsValid(IdempotencyOptions options) =>
        options.Window > TimeSpan.Zero && options.Window <= TimeSpan.FromDays(365)
        && options.PurgeInterval >= TimeSpan.FromSeconds(1);
}
