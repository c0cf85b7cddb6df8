namespace Ledger.Host.Witnesses;

/// <summary><c>Ledger:Witnesses</c>: where signed checkpoints are published besides the database (docs/ledger-format.md §14).</summary>
public sealed class WitnessOptions
{
    public const string Section = "Ledger:Witnesses";

    /// <summary>An append-only folder that receives every checkpoint as <c>&lt;tenant&gt;/&lt;chain_seq&gt;.jws</c> and <c>.note</c>; none by default.</summary>
    public string? Directory { get; set; }

    public HttpWitnessOptions Http { get; set; } = new();

    /// <summary>Publish <c>ledger.checkpoint.signed.v1</c> on the integration exchange (when a broker is configured).</summary>
    public bool RabbitMq { get; set; } = true;

    /// <summary>How often a witness that is up is offered new checkpoints.</summary>
    public double PollSeconds { get; set; } = 5;

    /// <summary>A failing witness is retried after PollSeconds, doubling each time up to this.</summary>
    public double MaxRetrySeconds { get; set; } = 300;

    /// <summary>/health/ready is Degraded once a witness has failed for this long (at once for a fork).</summary>
    public double DegradedAfterSeconds { get; set; } = 600;
}

public sealed class HttpWitnessOptions
{
    /// <summary>A c2sp.org/tlog-witness witness's URL (its <c>add-checkpoint</c> endpoint is under it); none by default.</summary>
    public Uri? Url { get; set; }
}
