using Ledger.EventStore.Migrations;

namespace Ledger.Host;

/// <summary>The Host's own tables (versions 500–599): the idempotency keys of writes.</summary>
public static class HostMigrations
{
    public static readonly MigrationSet Set = new("host", typeof(HostMigrations).Assembly, "Ledger.Host.Migrations.");
}
