namespace Ledger.Messaging.Witnesses;

/// <summary>
/// Somewhere a signed checkpoint is kept out of the database owner's reach (docs/ledger-format.md §14): an append-only
/// directory, an HTTP witness, the RabbitMQ exchange. Handing one the same checkpoint twice is harmless; a witness
/// that holds another checkpoint at the same tenant and position refuses it (<see cref="WitnessForkException"/>).
/// </summary>
public interface ICheckpointWitness
{
    /// <summary>Stable and unique per configured witness (its kind and address): what its deliveries are recorded under.</summary>
    string Name { get; }

    /// <summary>Hands the checkpoint over; returns what the witness answered worth keeping (cosignatures), if anything.</summary>
    /// <exception cref="WitnessForkException">the witness holds a different checkpoint at that position.</exception>
    /// <remarks>Any other exception means "not delivered, try again later".</remarks>
    Task<string?> DeliverAsync(WitnessedCheckpoint checkpoint, CancellationToken ct);
}

/// <summary>A witness holds a different checkpoint for the same tenant and position: two histories were signed.</summary>
public sealed class WitnessForkException(string message) : Exception(message);
