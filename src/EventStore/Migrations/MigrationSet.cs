using System.Reflection;
using System.Text;

namespace Ledger.EventStore.Migrations;

/// <summary>
/// One module's migrations: numbered SQL files embedded in its assembly under
/// <c>{ResourcePrefix}NNNN_name.sql</c>, plus an optional <c>{ResourcePrefix}grants.sql</c> re-applied after every
/// run. Modules own disjoint version ranges so their files interleave without clashing: event store 1–99,
/// projections 100–199, messaging 200–299, invoicing 300–399, audit 400–499, host 500–599.
/// </summary>
public sealed class MigrationSet
{
    public static readonly MigrationSet EventStore = new("event_store", typeof(MigrationSet).Assembly, "Ledger.EventStore.Migrations.");

    /// <summary>The chain over Marten's events (versions 20–29); Marten's own tables must exist first (MartenLedgerSchema).</summary>
    public static readonly MigrationSet LedgerChain = new("ledger_chain", typeof(MigrationSet).Assembly, "Ledger.EventStore.MartenStore.Schema.");

    private readonly Lazy<IReadOnlyList<Migration>> migrations;
    private readonly Lazy<string?> grants;

    public MigrationSet(string module, Assembly assembly, string resourcePrefix)
    {
        Module = module;
        migrations = new(() => assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(resourcePrefix, StringComparison.Ordinal) && char.IsAsciiDigit(n[resourcePrefix.Length]))
            .Select(n => Migration.From(n[resourcePrefix.Length..], Read(assembly, n)!))
            .OrderBy(m => m.Version)
            .ToList());
        grants = new(() => Read(assembly, resourcePrefix + "grants.sql"));
    }

    private MigrationSet(string module, Lazy<IReadOnlyList<Migration>> migrations, Lazy<string?> grants)
    {
        Module = module;
        this.migrations = migrations;
        this.grants = grants;
    }

    /// <summary>This module as it stood at <paramref name="version"/> (its later migrations left out): to test a migration that moves data.</summary>
    public MigrationSet Through(int version) =>
        new(Module, new Lazy<IReadOnlyList<Migration>>(() => Migrations.Where(m => m.Version <= version).ToList()), grants);

    public string Module { get; }
    public IReadOnlyList<Migration> Migrations => migrations.Value;
    public string? Grants => grants.Value;

    /// <summary>All migrations of the given modules in version order; two files with one version is a build mistake.</summary>
    public static IReadOnlyList<Migration> Combine(IEnumerable<MigrationSet> sets)
    {
        var all = sets.SelectMany(s => s.Migrations).OrderBy(m => m.Version).ToList();
        var clash = all.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
            throw new MigrationException($"Two migrations share version {clash.Key}: {string.Join(", ", clash.Select(m => m.Name))}.");
        return all;
    }

    private static string? Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource);
        if (stream is null) return null;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
