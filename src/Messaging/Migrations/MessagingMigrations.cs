using Ledger.EventStore.Migrations;

namespace Ledger.Messaging;

/// <summary>The messaging module's tables (versions 200–299): the consumers' inbox, and the relay's last position (the outbox shard starts there).</summary>
public static class MessagingMigrations
{
    public static readonly MigrationSet Set = new("messaging", typeof(MessagingMigrations).Assembly, "Ledger.Messaging.Migrations.");
}
