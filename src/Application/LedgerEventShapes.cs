using Ledger.Application.Audit;
using Ledger.Application.Invoicing.Events;
using Ledger.Application.Invoicing.Settings;
using Ledger.Application.Invoicing.VeriFactu;
using Ledger.Application.Orders;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.MartenStore;

namespace Ledger.Application;

/// <summary>Every event type Ledger writes, with the stored shape Marten keeps it as: each codec's own list.</summary>
public static class LedgerEventShapes
{
    public static EventShapes Register(EventShapes shapes)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        return shapes
            .AddRange(OrderEventCodec.StoredShapes)
            .AddRange(AuditEventCodec.StoredShapes)
            .AddRange(InvoiceEventCodec.StoredShapes)
            .AddRange(CreditNoteEventCodec.StoredShapes)
            .AddRange(NumberingEventCodec.StoredShapes)
            .AddRange(VeriFactuEventCodec.StoredShapes)
            .AddRange(SettingsEventCodec.StoredShapes)
            .AddRange(SigningKeyRotation.StoredShapes);
    }
}
