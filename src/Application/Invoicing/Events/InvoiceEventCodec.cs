using System.Text.Json;
using Ledger.Application.Json;
using Ledger.Domain.Invoicing;
using Ledger.EventStore;
using Ledger.EventStore.Privacy;

namespace Ledger.Application.Invoicing.Events;

/// <summary>
/// Maps each invoice event to the name, version and JSON data it is stored under, and back. Names are written out
/// per event, never derived from CLR type names, so renaming a class cannot change what is stored.
/// </summary>
public static class InvoiceEventCodec
{
    public const string Issued = "fiscal.invoice.issued";
    public const string Stamped = "fiscal.invoice.stamped";
    public const string ContingencyStamped = "fiscal.invoice.contingency_stamped";
    public const string StampRejected = "fiscal.invoice.stamp_rejected";
    public const string Credited = "fiscal.invoice.credited";

    /// <summary>The stored shape of each event type and version this codec writes: how Marten stores and names them.</summary>
    public static IEnumerable<(string EventType, int TypeVersion, Type Shape)> StoredShapes { get; } =
    [
        (Issued, 1, typeof(InvoiceIssuedV1)), (Issued, 2, typeof(InvoiceIssuedV2)), (Stamped, 1, typeof(InvoiceStampedV1)),
        (ContingencyStamped, 1, typeof(InvoiceContingencyStampedV1)), (StampRejected, 1, typeof(InvoiceStampRejectedV1)),
        (Credited, 1, typeof(InvoiceCreditedV1)),
    ];

    public static IReadOnlyList<string> EventTypes { get; } = [Issued, Stamped, ContingencyStamped, StampRejected, Credited];

    /// <summary>
    /// The stored form of <paramref name="e"/>. An invoice to a recipient with personal data is issued as version 2, the
    /// data sealed under <paramref name="recipientKey"/>; one without is version 1, whose data it is exactly.
    /// </summary>
    public static EncodedEvent Encode(InvoiceEvent e, SubjectKey? recipientKey = null) => e switch
    {
        InvoiceIssued { Personal: not null } i => FiscalJson.Write(Issued, InvoiceIssuedV2.From(i, recipientKey), 2),
        _ => EncodeV1(e),
    };

    /// <summary>Every event in its version 1 shape — an issued one without personal data (which v1 would hold in clear).</summary>
    internal static EncodedEvent EncodeV1(InvoiceEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e switch
        {
            InvoiceIssued i => FiscalJson.Write(Issued, InvoiceIssuedV1.From(i with { Personal = null })),
            InvoiceStamped s => FiscalJson.Write(Stamped, InvoiceStampedV1.From(s)),
            InvoiceContingencyStamped c => FiscalJson.Write(ContingencyStamped, InvoiceContingencyStampedV1.From(c)),
            InvoiceStampRejected r => FiscalJson.Write(StampRejected, InvoiceStampRejectedV1.From(r)),
            InvoiceCredited c => FiscalJson.Write(Credited, InvoiceCreditedV1.From(c)),
            _ => throw new ArgumentOutOfRangeException(nameof(e), $"{e.GetType().Name} has no stored form."),
        };
    }

    public static InvoiceEvent Decode(RecordedEvent recorded) => FiscalJson.Decode(recorded, Decode);

    /// <exception cref="Orders.UnknownEventTypeException">not an invoice event this codec knows.</exception>
    /// <exception cref="JsonException">the data does not have the shape its type and version promise.</exception>
    public static InvoiceEvent Decode(string eventType, int typeVersion, JsonElement data) => (eventType, typeVersion) switch
    {
        (Issued, 1) => FiscalJson.Read<InvoiceIssuedV1>(data).ToEvent(),
        (Issued, 2) => FiscalJson.Read<InvoiceIssuedV2>(data).ToEvent(),
        (Stamped, 1) => FiscalJson.Read<InvoiceStampedV1>(data).ToEvent(),
        (ContingencyStamped, 1) => FiscalJson.Read<InvoiceContingencyStampedV1>(data).ToEvent(),
        (StampRejected, 1) => FiscalJson.Read<InvoiceStampRejectedV1>(data).ToEvent(),
        (Credited, 1) => FiscalJson.Read<InvoiceCreditedV1>(data).ToEvent(),
        _ => throw FiscalJson.Unknown(eventType, typeVersion),
    };
}
