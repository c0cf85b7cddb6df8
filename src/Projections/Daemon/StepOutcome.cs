namespace Ledger.Projections.Daemon;

/// <summary>What one step of a projection did, which tells its loop whether to go on at once or wait.</summary>
public enum StepOutcome
{
    /// <summary>Nothing after the checkpoint: wait for the next append.</summary>
    Idle,

    /// <summary>
    /// Events after the checkpoint are committed but not readable yet: an older transaction is still open, and until
    /// it ends they stay above the read horizon (docs/ledger-format.md, section 5). Look again shortly.
    /// </summary>
    Blocked,

    /// <summary>Applied everything that could be read: look once more, then wait.</summary>
    CaughtUp,

    /// <summary>Applied a batch and there may be more: step again at once.</summary>
    MoreToRead,

    /// <summary>An event failed and will be tried again (the backoff has been waited).</summary>
    Retrying,

    /// <summary>Stopped on a failing event until an operator skips it.</summary>
    Stopped,

    /// <summary>The checkpoint moved under this runner (a swap, a skip, another holder): it reloads and goes on.</summary>
    Moved,

    /// <summary>The generation this runner builds was retired.</summary>
    Retired,
}
