using Ledger.EventStore.Migrations;

namespace Ledger.Application.Invoicing;

/// <summary>Invoicing's tables (versions 300–399): tax rules, issuer profiles, exchange rates (the stamping queue, 0300, moved to Wolverine in 0302).</summary>
public static class InvoicingMigrations
{
    public static readonly MigrationSet Set =
        new("invoicing", typeof(InvoicingMigrations).Assembly, "Ledger.Application.Invoicing.Migrations.");
}
