using Ledger.Application.Invoicing.VeriFactu;
using Ledger.EventStore.MartenStore;
using Marten;
using Wolverine.Attributes;
using Wolverine.ErrorHandling;
using Wolverine.Runtime.Handlers;

namespace Ledger.Application.Invoicing.Settings;

/// <summary>
/// The invoicing settings commands as Wolverine handlers: <see cref="InvoicingSettings"/> (or
/// <see cref="VeriFactuPredecessor"/>) stages the change on the handler's Marten session with the command's audit
/// entry, and Wolverine's transactional middleware commits them together.
/// </summary>
public static class InvoicingSettingsHandler
{
    /// <summary>A command without an If-Match that lost a race is decided again against what won (at most this often).</summary>
    public const int MaxAttempts = 5;

    /// <summary>Wolverine's hook for each of this class's chains, as for the other commands (<see cref="FiscalCommandHandler.Configure"/>).</summary>
    public static void Configure(HandlerChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        chain.OnException(LedgerMarten.IsConflict).RetryTimes(MaxAttempts - 1);
        chain.FailureLogLevel = Microsoft.Extensions.Logging.LogLevel.Debug;
    }

    [Transactional]
    public static Task<SettingsWritten> Handle(SetIssuerProfile command, IDocumentSession session, InvoicingSettings settings,
        ICommandJournal journal, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(settings);
        return settings.SetIssuerAsync(session, journal, command.Context, command.Input, command.ExpectedVersion, ct);
    }

    [Transactional]
    public static Task<TaxRulesPublished> Handle(PublishTaxRules command, IDocumentSession session, InvoicingSettings settings,
        ICommandJournal journal, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(settings);
        return settings.PublishTaxRulesAsync(session, journal, command.Context, command.EffectiveFrom, command.Rates, command.ExpectedVersion, ct);
    }

    [Transactional]
    public static Task<SettingsWritten> Handle(SetExchangeRate command, IDocumentSession session, InvoicingSettings settings,
        ICommandJournal journal, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(settings);
        return settings.SetExchangeRateAsync(session, journal, command.Context, command.Currency, command.ValidOn, command.Rate,
            command.ExpectedVersion, ct);
    }

    [Transactional]
    public static Task<PredecessorRecorded> Handle(RecordVeriFactuPredecessor command, IDocumentSession session, VeriFactuPredecessor predecessor,
        ICommandJournal journal, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(predecessor);
        return predecessor.RecordAsync(session, journal, command.Context, command.RecordXml, ct);
    }
}
