using Ledger.EventStore;

namespace Ledger.Application.Invoicing.VeriFactu;

/// <summary>Makes the append that adds a record to a tenant's VERI*FACTU chain, expecting the chain as just read.</summary>
internal sealed class VeriFactuLink(StreamTails tails)
{
    public async Task<StreamAppend> NextAsync(FiscalStreamReader read, CommandContext context, Func<VeriFactuRecord?, VeriFactuRecord> next, CancellationToken ct)
    {
        var (last, version) = await tails.ReadAsync(read, context.TenantId, InvoiceStreams.VeriFactu, ct).ConfigureAwait(false);
        var record = next(last is null ? null : VeriFactuEventCodec.Decode(last));
        return new StreamAppend(InvoiceStreams.VeriFactu, ExpectedVersion.Exactly(version),
            [FiscalEvents.ToAppend(VeriFactuEventCodec.Encode(record), context)]);
    }
}
