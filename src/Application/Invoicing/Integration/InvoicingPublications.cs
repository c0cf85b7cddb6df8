using System.Text.Json;
using Ledger.Application.Integration;
using Ledger.Application.Invoicing.Events;
using Ledger.Application.Invoicing.Settings;
using Ledger.Application.Invoicing.VeriFactu;
using Ledger.Domain.Invoicing;
using Ledger.EventStore;

namespace Ledger.Application.Invoicing.Integration;

/// <summary>
/// Fiscal events as published (schemas/fiscal.*.v1.json), for <see cref="IntegrationCatalogue"/> to declare. The
/// published payload is the stored v1 shape re-encoded from the decoded event — a versioned contract of its own,
/// kept apart from the domain records — without the recipient's personal data, which never leaves Ledger.
/// Numbering events, VERI*FACTU records and settings changes stay internal: the first are bookkeeping of the series,
/// the second go to the tax authority through their own channel, the third are the tenant's own configuration.
/// </summary>
public static class InvoicingPublications
{
    public static IEnumerable<Publication> All =>
    [
        Invoice(InvoiceEventCodec.Issued, e => e is InvoiceIssued issued ? issued with { Personal = null } : e),
        // Stored v2 seals the recipient's personal data, which is not published either way: the same contract.
        Invoice(InvoiceEventCodec.Issued, e => e is InvoiceIssued issued ? issued with { Personal = null } : e, storedVersion: 2),
        Invoice(InvoiceEventCodec.Stamped),
        Invoice(InvoiceEventCodec.ContingencyStamped),
        Invoice(InvoiceEventCodec.StampRejected),
        Invoice(InvoiceEventCodec.Credited),
        new(CreditNoteEventCodec.Issued, 1, CreditNoteEventCodec.Issued, 1,
            recorded => CreditNoteEventCodec.Encode(CreditNoteEventCodec.Decode(recorded)).Data),
    ];

    /// <summary>Stored fiscal event types that are not published.</summary>
    public static IReadOnlySet<string> Internal { get; } = new HashSet<string>(
        [NumberingEventCodec.Assigned, VeriFactuEventCodec.RegistrationRecorded, VeriFactuEventCodec.CancellationRecorded,
            VeriFactuEventCodec.PredecessorRecorded,
            .. SettingsEventCodec.EventTypes], StringComparer.Ordinal);

    /// <summary>Every stored fiscal event type, for the catalogue's "every type is classified" check.</summary>
    public static IReadOnlyList<string> StoredTypes { get; } =
        [.. InvoiceEventCodec.EventTypes, .. CreditNoteEventCodec.EventTypes, .. NumberingEventCodec.EventTypes, .. VeriFactuEventCodec.EventTypes,
            .. SettingsEventCodec.EventTypes];

    private static Publication Invoice(string storedType, Func<InvoiceEvent, InvoiceEvent>? redact = null, int storedVersion = 1) =>
        new(storedType, storedVersion, storedType, 1, recorded => Payload(recorded, redact));

    /// <summary>The version 1 stored shape of the decoded (and redacted) event: without personal data, v1 and v2 read the same.</summary>
    private static JsonElement Payload(RecordedEvent recorded, Func<InvoiceEvent, InvoiceEvent>? redact)
    {
        var decoded = InvoiceEventCodec.Decode(recorded);
        return InvoiceEventCodec.EncodeV1(redact is null ? decoded : redact(decoded)).Data;
    }
}
