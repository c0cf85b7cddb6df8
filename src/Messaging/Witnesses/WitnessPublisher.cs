namespace Ledger.Messaging.Witnesses;

/// <summary>
/// Hands one witness every stored checkpoint it lacks, oldest first, recording each once the witness accepted it.
/// It stops at the first failure (that witness is down or refusing: its caller retries it later, on its own schedule,
/// so one failing witness holds up neither the others nor the signer). At least once: a crash after the witness
/// accepted and before the record hands it over again, which a witness keeping one checkpoint per position shrugs off.
/// </summary>
public sealed class WitnessPublisher(WitnessDeliveries deliveries, CheckpointNotes notes, ICheckpointWitness witness, int batchSize = 100)
{
    public ICheckpointWitness Witness => witness;

    /// <summary>Delivers until nothing is pending; returns how many were delivered.</summary>
    /// <exception cref="WitnessForkException">the witness holds another checkpoint at a position.</exception>
    /// <remarks>Any other exception: the witness failed; what was delivered before it is recorded.</remarks>
    public async Task<int> PublishPendingAsync(CancellationToken ct)
    {
        var delivered = 0;
        while (true)
        {
            var newest = await deliveries.NewestRecordedAtAsync(ct);
            var pending = await deliveries.PendingAsync(witness.Name, batchSize, ct);
            foreach (var checkpoint in pending)
            {
                var witnessed = await notes.PrepareAsync(checkpoint.Signed, checkpoint.Note, ct);
                var receipt = await witness.DeliverAsync(witnessed, ct);
                await deliveries.RecordAsync(witness.Name, checkpoint.Signed, receipt, ct);
                delivered++;
            }
            if (pending.Count < batchSize)
            {
                if (newest is { } through) await deliveries.AdvanceAsync(witness.Name, through, ct);
                return delivered;
            }
        }
    }
}
