using Ledger.EventStore.Migrations;

namespace Ledger.Messaging;

/// <summary>The messaging module's tables (versions 200–299): the relay checkpoint (the consumers' inbox was dropped in 0201: it is Wolverine's now).</summary>
public static class MessagingMigrations
{
    public static readonly MigrationSet Set = new("messaging", typeof(MessagingMigrations).Assembly, "Ledger.Messaging.Migrations.");
}
