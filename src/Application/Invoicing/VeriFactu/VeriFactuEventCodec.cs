using System.Text.Json;
using Ledger.Application.Invoicing.Events;
using Ledger.Application.Json;
using Ledger.EventStore;

namespace Ledger.Application.Invoicing.VeriFactu;

internal sealed record RegistrationRecordedV1(
    Guid DocumentId, Guid InvoiceId, string IssuerId, string InvoiceNumber, string IssueDate, string InvoiceType,
    string TotalTax, string TotalAmount, string PreviousFingerprint, string GeneratedAt, string Fingerprint);

internal sealed record CancellationRecordedV1(
    Guid DocumentId, Guid InvoiceId, string IssuerId, string InvoiceNumber, string IssueDate,
    string PreviousFingerprint, string GeneratedAt, string Fingerprint);

/// <summary>Another billing system's record that this chain continues: every hashed field as that system sent it.</summary>
internal sealed record PredecessorRecordedV1(
    string Kind, string IssuerId, string InvoiceNumber, string IssueDate, string? InvoiceType, string? TotalTax, string? TotalAmount,
    string PreviousFingerprint, string GeneratedAt, string Fingerprint);

/// <summary>VERI*FACTU records as events of the tenant's chain stream; a record's sequence is its stream version.</summary>
public static class VeriFactuEventCodec
{
    public const string RegistrationRecorded = "fiscal.verifactu.registration_recorded";
    public const string CancellationRecorded = "fiscal.verifactu.cancellation_recorded";

    /// <summary>The first event of a chain that continues another system's: its last record, as it was sent.</summary>
    public const string PredecessorRecorded = "fiscal.verifactu.predecessor_recorded";

    /// <summary>The stored shape of each event type and version this codec writes: how Marten stores and names them.</summary>
    public static IEnumerable<(string EventType, int TypeVersion, Type Shape)> StoredShapes { get; } =
    [
        (RegistrationRecorded, 1, typeof(RegistrationRecordedV1)), (CancellationRecorded, 1, typeof(CancellationRecordedV1)),
        (PredecessorRecorded, 1, typeof(PredecessorRecordedV1)),
    ];

    public static IReadOnlyList<string> EventTypes { get; } = [RegistrationRecorded, CancellationRecorded, PredecessorRecorded];

    public static EncodedEvent EncodePredecessor(VeriFactuRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return FiscalJson.Write(PredecessorRecorded, new PredecessorRecordedV1(r.Kind, r.IssuerId, r.InvoiceNumber, r.IssueDate, r.InvoiceType,
            r.TotalTax, r.TotalAmount, r.PreviousFingerprint, r.GeneratedAt, r.Fingerprint));
    }

    public static EncodedEvent Encode(VeriFactuRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return r.Kind == VeriFactuRecord.Registration
            ? FiscalJson.Write(RegistrationRecorded, new RegistrationRecordedV1(r.DocumentId, r.InvoiceId, r.IssuerId, r.InvoiceNumber,
                r.IssueDate, r.InvoiceType!, r.TotalTax!, r.TotalAmount!, r.PreviousFingerprint, r.GeneratedAt, r.Fingerprint))
            : FiscalJson.Write(CancellationRecorded, new CancellationRecordedV1(r.DocumentId, r.InvoiceId, r.IssuerId, r.InvoiceNumber,
                r.IssueDate, r.PreviousFingerprint, r.GeneratedAt, r.Fingerprint));
    }

    public static VeriFactuRecord Decode(RecordedEvent recorded) =>
        FiscalJson.Decode(recorded, (type, version, data) => Decode(recorded.StreamVersion, type, version, data));

    public static VeriFactuRecord Decode(long sequence, string eventType, int typeVersion, JsonElement data) => (eventType, typeVersion) switch
    {
        (RegistrationRecorded, 1) => Registration(sequence, FiscalJson.Read<RegistrationRecordedV1>(data)),
        (CancellationRecorded, 1) => Cancellation(sequence, FiscalJson.Read<CancellationRecordedV1>(data)),
        (PredecessorRecorded, 1) => Predecessor(sequence, FiscalJson.Read<PredecessorRecordedV1>(data)),
        _ => throw FiscalJson.Unknown(eventType, typeVersion),
    };

    private static VeriFactuRecord Registration(long sequence, RegistrationRecordedV1 r) =>
        new(sequence, VeriFactuRecord.Registration, r.DocumentId, r.InvoiceId, r.IssuerId, r.InvoiceNumber, r.IssueDate,
            r.InvoiceType, r.TotalTax, r.TotalAmount, r.PreviousFingerprint, r.GeneratedAt, r.Fingerprint);

    private static VeriFactuRecord Cancellation(long sequence, CancellationRecordedV1 c) =>
        new(sequence, VeriFactuRecord.Cancellation, c.DocumentId, c.InvoiceId, c.IssuerId, c.InvoiceNumber, c.IssueDate,
            null, null, null, c.PreviousFingerprint, c.GeneratedAt, c.Fingerprint);

    private static VeriFactuRecord Predecessor(long sequence, PredecessorRecordedV1 p) =>
        new(sequence, p.Kind, Guid.Empty, Guid.Empty, p.IssuerId, p.InvoiceNumber, p.IssueDate, p.InvoiceType, p.TotalTax, p.TotalAmount,
            p.PreviousFingerprint, p.GeneratedAt, p.Fingerprint);
}
