using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ledger.EventStore.Chain;

namespace Ledger.EventStore.Tests.Chain;

/// <summary>The worked example in docs/ledger-format.md is what the code computes, byte for byte.</summary>
public sealed partial class LedgerFormatDocumentTests
{
    [Fact]
    public void The_documented_example_record_and_hashes_are_what_the_store_computes()
    {
        var doc = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "ledger-format.md"));
        var canonical = CanonicalLine().Match(doc).Groups[1].Value;
        var entryHash = EntryHashLine().Match(doc).Groups[1].Value;
        var chainHash = ChainHashLine().Match(doc).Groups[1].Value;
        canonical.ShouldNotBeEmpty();

        using var record = JsonDocument.Parse(canonical);
        var r = record.RootElement;
        var bytes = LedgerRecord.CanonicalBytes(
            r.GetProperty("tenant_id").GetString()!, r.GetProperty("stream_id").GetString()!, r.GetProperty("stream_version").GetInt64(),
            r.GetProperty("event_id").GetGuid(), r.GetProperty("event_type").GetString()!, r.GetProperty("event_version").GetInt32(),
            DateTimeOffset.Parse(r.GetProperty("occurred_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            r.GetProperty("data"), r.GetProperty("metadata"));

        Encoding.UTF8.GetString(bytes).ShouldBe(canonical);
        Convert.ToHexStringLower(SHA256.HashData(bytes)).ShouldBe(entryHash);
        Convert.ToHexStringLower(LedgerRecord.Link(LedgerRecord.GenesisHash, SHA256.HashData(bytes))).ShouldBe(chainHash);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ledger.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("repository root not found");
    }

    [GeneratedRegex(@"canonical_record =\n(\{.*\})\n")]
    private static partial Regex CanonicalLine();

    [GeneratedRegex(@"entry_hash = ([0-9a-f]{64})")]
    private static partial Regex EntryHashLine();

    [GeneratedRegex(@"chain_hash = ([0-9a-f]{64})")]
    private static partial Regex ChainHashLine();
}
