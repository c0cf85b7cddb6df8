namespace Ledger.Host.RateLimiting;

/// <summary>
/// <c>Ledger:RateLimits</c>: fixed windows per client address, per tenant, and a stricter one per caller on the
/// endpoints that issue tokens or export (see <see cref="RateLimitPartitions"/>). A limit of 0 switches that one off.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "Ledger:RateLimits";

    /// <summary>Off: no request is ever limited (a deployment that limits at its proxy instead).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Every request from one client address (IPv6: its /64), authenticated or not.</summary>
    public WindowLimit PerClientAddress { get; set; } = new() { PermitLimit = 1200, WindowSeconds = 60 };

    /// <summary>Every authenticated request of one tenant, whichever address it comes from.</summary>
    public WindowLimit PerTenant { get; set; } = new() { PermitLimit = 6000, WindowSeconds = 60 };

    /// <summary>Token-issuing and export endpoints, per endpoint and caller (the tenant, or the address when anonymous).</summary>
    public WindowLimit Strict { get; set; } = new() { PermitLimit = 10, WindowSeconds = 60 };

    public static bool IsValid(RateLimitOptions options) =>
        options is not null && options.PerClientAddress.IsValid && options.PerTenant.IsValid && options.Strict.IsValid;
}

/// <summary>At most <see cref="PermitLimit"/> requests per window of <see cref="WindowSeconds"/>.</summary>
public sealed class WindowLimit
{
    public int PermitLimit { get; set; }

    public int WindowSeconds { get; set; } = 60;

    public bool IsOn => PermitLimit > 0;

    internal bool IsValid => PermitLimit >= 0 && WindowSeconds is >= 1 and <= 86_400;

    internal TimeSpan Window => TimeSpan.FromSeconds(WindowSeconds);
}
