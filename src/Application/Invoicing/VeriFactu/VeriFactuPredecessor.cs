using Ledger.Application.Invoicing.Settings;
using Ledger.Domain;
using Ledger.EventStore;
using Ledger.EventStore.MartenStore;
using Marten;

namespace Ledger.Application.Invoicing.VeriFactu;

/// <summary>
/// Starts a tenant's VERI*FACTU chain from the last record of the billing system it replaces: that record, read from
/// its XML with every field as sent (<see cref="VeriFactuRecordXml"/>), is verified over those strings and becomes the
/// first event of the chain, so Ledger's first record's previous fingerprint is its fingerprint. Only an empty chain
/// can be started this way, and only with a record of the tenant's own issuer.
/// </summary>
public sealed class VeriFactuPredecessor(MartenEventStore store, IssuerProfiles issuers)
{
    public const string InvalidRecord = "validation.invalid_verifactu_record";
    public const string FingerprintMismatch = "verifactu.fingerprint_mismatch";
    public const string OtherIssuer = "verifactu.other_issuer";
    public const string ChainStarted = "verifactu.chain_already_started";

    /// <exception cref="ValidationError">the XML is not a registration or cancellation record.</exception>
    /// <exception cref="DomainError">its fingerprint is not the hash of its fields, it is another issuer's, or the chain has begun.</exception>
    public async Task<PredecessorRecorded> RecordAsync(IDocumentSession session, ICommandJournal journal, CommandContext context, string xml,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(context);
        VeriFactuRecord record;
        try
        {
            record = VeriFactuRecordXml.Read(xml);
        }
        catch (FormatException e)
        {
            throw new ValidationError(InvalidRecord, "The record is not a VERI*FACTU registration or cancellation record.",
                new Dictionary<string, string[]> { ["record_xml"] = [e.Message] });
        }
        if (!record.IsIntact)
            throw new DomainError(FingerprintMismatch, "The record's Huella is not the SHA-256 of its fields as sent: it was altered or mis-hashed.");
        var issuer = await issuers.ForAsync(context.TenantId, ct).ConfigureAwait(false);
        if (issuer is not { VeriFactu: true, TaxId: { } taxId } || taxId.Value != record.IssuerId.Trim())
            throw new DomainError(OtherIssuer, "The record is not of this tenant's VERI*FACTU issuer (its IDEmisorFactura differs, or VERI*FACTU is off).");
        // Under the tenant's fiscal lock, as issues add to the chain: none can add a record between this read and the commit.
        await journal.BeginAsync(session, context, InvoiceStreams.VeriFactu, ct).ConfigureAwait(false);
        await FiscalLock.TakeAsync(session, ct).ConfigureAwait(false);
        if ((await session.Events.FetchStreamStateAsync(InvoiceStreams.VeriFactu, ct).ConfigureAwait(false))?.Version > 0)
            throw new DomainError(ChainStarted, "The tenant's VERI*FACTU chain has begun: a predecessor can only start an empty chain.");
        StreamAppend[] appends =
            [new StreamAppend(InvoiceStreams.VeriFactu, ExpectedVersion.NoStream, [FiscalEvents.ToAppend(VeriFactuEventCodec.EncodePredecessor(record), context)])];
        var append = store.Stage(session, appends);
        await journal.RecordAcceptedAsync(session, context, InvoiceStreams.VeriFactu, FiscalEvents.Written(appends), ct).ConfigureAwait(false);
        return new PredecessorRecorded(new SettingsWritten(InvoiceStreams.VeriFactu, 1, append), record with { Sequence = 1 });
    }
}

/// <summary>The chain started from another system's last record: the command's write and the record as the chain lists it.</summary>
public sealed record PredecessorRecorded(SettingsWritten Written, VeriFactuRecord Record);
