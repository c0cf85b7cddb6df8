using Ledger.EventStore.Migrations;

namespace Ledger.Messaging;

/// <summary>The messaging module's tables (versions 200–299): the relay's last position, where the outbox shard started (0210); the consumers' inbox was dropped in 0201 (Wolverine's durable inbox replaces it).</summary>
public static class MessagingMigrations
{
    public static readonly MigrationSet Set = new("messaging", typeof(MessagingMigrations).Assembly, "Ledger.Messaging.Migrations.");
}
