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

/// <summary>VERI*FACTU records as events of the tenant's chain stream; a record's sequence is its stream version.</summary>
public static class VeriFactuEventCodec
{
    public const string RegistrationRecorded = "fiscal.verifactu.registration_recorded";
    public const string CancellationRecorded = "fiscal.verifactu.cancellation_recorded";

    public static IReadOnlyList<string> EventTypes { get; } = [RegistrationRecorded, CancellationRecorded];

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
        _ => throw FiscalJson.Unknown(eventType, typeVersion),
    };

    private static VeriFactuRecord Registration(long sequence, RegistrationRecordedV1 r) =>
        new(sequence, VeriFactuRecord.Registration, r.DocumentId, r.InvoiceId, r.IssuerId, r.InvoiceNumber, r.IssueDate,
            r.InvoiceType, r.TotalTax, r.TotalAmount, r.PreviousFingerprint, r.GeneratedAt, r.Fingerprint);

    private static VeriFactuRecord Cancellation(long sequence, CancellationRecordedV1 c) =>
        new(sequence, VeriFactuRecord.Cancellation, c.DocumentId, c.InvoiceId, c.IssuerId, c.InvoiceNumber, c.IssueDate,
            null, null, null, c.PreviousFingerprint, c.GeneratedAt, c.Fingerprint);
}
