using System.Buffers.Text;
using System.Text;
using System.Text.RegularExpressions;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Merkle;
using Ledger.EventStore.Tests.Export;

namespace Ledger.EventStore.Tests.Checkpoints;

/// <summary>The worked checkpoints in docs/ledger-format.md §12 (formats 1 and 2) verify with the keys printed there, as the page says.</summary>
public sealed partial class CheckpointFormatDocumentTests
{
    private readonly string doc = File.ReadAllText(Path.Combine(PythonVerifier.RepoRoot(), "docs", "ledger-format.md"));

    [Theory]
    [InlineData("", 1)]
    [InlineData("2", 2)]
    public void The_documented_checkpoint_verifies_with_the_documented_key_and_says_what_the_page_says(string suffix, int format)
    {
        var keys = LedgerKeySet.Parse(Encoding.UTF8.GetBytes(Line("jwks" + suffix)));
        var jws = Line("checkpoint" + suffix);
        var key = keys.Keys.ShouldHaveSingleItem();
        CheckpointKey.Thumbprint(key.X, key.Y).ShouldBe(key.Kid);

        var anchor = SignedCheckpoint.ToAnchor(jws, keys, "acme", 0);
        anchor.IsValid.ShouldBeTrue(anchor.Invalid);
        anchor.Position.ShouldBe(1);
        Convert.ToHexStringLower(anchor.ChainHash).ShouldBe(ChainHashOfSection6().Match(doc).Groups[1].Value);

        var parts = jws.Split('.');
        Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0])).ShouldBe(Line("header" + suffix));
        Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).ShouldBe(Line("payload" + suffix));
        var checkpoint = Checkpoint.ParsePayload(Base64Url.DecodeFromChars(parts[1]));
        checkpoint.Format.ShouldBe(format);
        if (format == 2)
        {
            // §13's one-entry tree: leaf_hash of §6's entry hash.
            var entryHash = Convert.FromHexString(EntryHashOfSection6().Match(doc).Groups[1].Value);
            checkpoint.TreeRoot.ShouldBe(MerkleHash.Leaf(entryHash));
        }

        var flipped = parts[2][..10] + (parts[2][10] == 'A' ? 'B' : 'A') + parts[2][11..];
        SignedCheckpoint.ToAnchor($"{parts[0]}.{parts[1]}.{flipped}", keys, "acme", 0).IsValid.ShouldBeFalse();
    }

    private string Line(string name) =>
        Regex.Match(doc, $@"^{name} += (.+)$", RegexOptions.Multiline).Groups[1].Value.Trim() is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"no '{name} =' line in the document");

    [GeneratedRegex(@"chain_hash = ([0-9a-f]{64})")]
    private static partial Regex ChainHashOfSection6();

    [GeneratedRegex(@"entry_hash = ([0-9a-f]{64})")]
    private static partial Regex EntryHashOfSection6();
}
