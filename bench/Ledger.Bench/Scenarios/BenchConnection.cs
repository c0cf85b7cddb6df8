using Ledger.Bench.Infrastructure;

namespace Ledger.Bench.Scenarios;

/// <summary>Connection strings handed to processes the bench starts.</summary>
public static class BenchConnection
{
    public static string Admin => BenchDatabase.AdminConnectionString;
}
