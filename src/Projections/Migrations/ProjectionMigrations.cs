using Ledger.EventStore.Migrations;

namespace Ledger.Projections;

/// <summary>
/// The projections module's schema (versions 100–199): the daemon's tables and functions, then one migration per
/// read model that registers its DDL template and creates its first generation.
/// </summary>
public static class ProjectionMigrations
{
    public static readonly MigrationSet Set = new("projections", typeof(ProjectionMigrations).Assembly, "Ledger.Projections.Migrations.");
}
