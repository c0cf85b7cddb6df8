using Ledger.Domain.Invoicing;

namespace Ledger.Application.Invoicing.Settings;

// The invoicing settings commands as Wolverine carries them to InvoicingSettingsHandler. ExpectedVersion is an If-Match.

public sealed record SetIssuerProfile(IssuerProfileInput Input, long? ExpectedVersion, CommandContext Context)
{
    /// <summary>What a log line may say of the message: not the issuer's name and address.</summary>
    public override string ToString() => $"SetIssuerProfile {SettingsEventCodec.IssuerStream}";
}

public sealed record PublishTaxRules(DateOnly EffectiveFrom, IReadOnlyList<TaxRate> Rates, long? ExpectedVersion, CommandContext Context);

public sealed record SetExchangeRate(string Currency, DateOnly ValidOn, decimal Rate, long? ExpectedVersion, CommandContext Context);

public sealed record RecordVeriFactuPredecessor(string RecordXml, CommandContext Context)
{
    public override string ToString() => $"RecordVeriFactuPredecessor {InvoiceStreams.VeriFactu}";
}
