using Ledger.Messaging.Witnesses;

namespace Ledger.Host.Witnesses;

/// <summary>
/// The witness that is always there: it keeps nothing itself, but being offered every checkpoint makes each one's signed
/// note (<see cref="CheckpointNotes"/>, stored in <c>checkpoint_notes</c>) soon after it is signed, while the signing key
/// is certainly held, so <c>GET /api/ledger/checkpoints/{position}/note</c> can serve it even with no witness configured.
/// </summary>
public sealed class NoteArchive : ICheckpointWitness
{
    public string Name => "notes";

    public Task<string?> DeliverAsync(WitnessedCheckpoint checkpoint, CancellationToken ct) =>
        Task.FromResult(checkpoint.Note is null ? "no note: the key that signed the checkpoint is not held" : null);
}
