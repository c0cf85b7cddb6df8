using System.Globalization;
using System.Text.Json;
using Ledger.EventStore.Chain;

namespace Ledger.EventStore.Merkle;

/// <summary>What checking a proof answer found: the failure, or what it proved; and whether the roots were the auditor's own.</summary>
public sealed record ProofCheck(string? Failure, string? Proved, bool RootsGiven)
{
    public bool Verified => Failure is null;
}

/// <summary>
/// Checks an answer of the auditor API's proof endpoints (docs/ledger-format.md §13), saved as JSON, against roots the
/// auditor trusts — the same rules as <c>tools/verify-export.py --inclusion / --consistency</c>. Without a root the
/// answer's own is used, which proves the answer self-consistent, not that it belongs to a tree Ledger signed. The leaf
/// is recomputed from the entry hash, never taken from the answer.
/// </summary>
public static class ProofAnswer
{
    /// <exception cref="FormatException">the answer is not an inclusion proof answer.</exception>
    public static ProofCheck Inclusion(ReadOnlySpan<byte> json, byte[]? root = null, byte[]? entryHash = null)
    {
        using var document = Parse(json);
        var answer = document.RootElement;
        var (position, index, size) = (Integer(answer, "position"), Integer(answer, "leaf_index"), Integer(answer, "tree_size"));
        var (answerEntry, answerLeaf, answerRoot) = (Hash(answer, "entry_hash"), Hash(answer, "leaf_hash"), Hash(answer, "root_hash"));
        var path = Path(answer);
        if (index != position - 1)
            return new(string.Create(CultureInfo.InvariantCulture, $"leaf_index {index} is not position {position} - 1"), null, root is not null);
        var leaf = MerkleHash.Leaf(entryHash ?? answerEntry);
        if (entryHash is null && !leaf.AsSpan().SequenceEqual(answerLeaf))
            return new("leaf_hash is not SHA-256(0x00 || entry_hash)", null, root is not null);
        var trusted = root ?? answerRoot;
        return new(MerkleProofVerifier.InclusionFailure(index, size, leaf, path, trusted),
            string.Create(CultureInfo.InvariantCulture, $"entry {position} (leaf {index}) is in the tree of size {size} with root {Convert.ToHexStringLower(trusted)}"),
            root is not null);
    }

    /// <exception cref="FormatException">the answer is not a consistency proof answer.</exception>
    public static ProofCheck Consistency(ReadOnlySpan<byte> json, byte[]? firstRoot = null, byte[]? root = null)
    {
        using var document = Parse(json);
        var answer = document.RootElement;
        var (first, second) = (Integer(answer, "first_size"), Integer(answer, "second_size"));
        var (r1, r2) = (firstRoot ?? Hash(answer, "first_root"), root ?? Hash(answer, "second_root"));
        var path = Path(answer);
        return new(MerkleProofVerifier.ConsistencyFailure(first, second, path, r1, r2),
            string.Create(CultureInfo.InvariantCulture,
                $"the tree of size {first} (root {Convert.ToHexStringLower(r1)}) is a prefix of the tree of size {second} (root {Convert.ToHexStringLower(r2)})"),
            firstRoot is not null || root is not null);
    }

    private static JsonDocument Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind == JsonValueKind.Object) return document;
            document.Dispose();
            throw new FormatException("the answer is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new FormatException("the answer is not JSON: " + e.Message, e);
        }
    }

    private static long Integer(JsonElement answer, string name) =>
        answer.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n)
            ? n
            : throw new FormatException($"member {name} is missing or not an integer");

    private static byte[] Hash(JsonElement answer, string name) =>
        answer.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? ChainEntryJson.Hex32(value.GetString()!, "member " + name)
            : throw new FormatException($"member {name} is not 64 lowercase hex digits");

    private static List<byte[]> Path(JsonElement answer) =>
        answer.TryGetProperty("proof", out var proof) && proof.ValueKind == JsonValueKind.Array
            ? [.. proof.EnumerateArray().Select(h => h.ValueKind == JsonValueKind.String
                ? ChainEntryJson.Hex32(h.GetString()!, "a proof hash")
                : throw new FormatException("a proof hash is not a string"))]
            : throw new FormatException("member proof is missing or not an array");
}
