using System.Security.Cryptography;

namespace Ledger.EventStore.Merkle;

/// <summary>
/// RFC 6962 §2.1 (RFC 9162 §2.1.1) hashing with SHA-256: a leaf is SHA-256(0x00 ‖ data), an interior node
/// SHA-256(0x01 ‖ left ‖ right), the empty tree SHA-256 of nothing. The prefixes keep a leaf from passing for a node
/// (second-preimage attacks). A Ledger leaf's data is its entry's 32-byte entry hash (docs/ledger-format.md §13).
/// </summary>
public static class MerkleHash
{
    public const int Size = SHA256.HashSizeInBytes;

    private const byte LeafPrefix = 0x00;
    private const byte NodePrefix = 0x01;

    /// <summary>The root of the tree of size 0: SHA-256 of the empty string.</summary>
    public static byte[] EmptyRoot() => SHA256.HashData(ReadOnlySpan<byte>.Empty);

    public static byte[] Leaf(ReadOnlySpan<byte> data)
    {
        var hash = new byte[Size];
        Leaf(data, hash);
        return hash;
    }

    public static void Leaf(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (data.Length <= 256)
        {
            Span<byte> input = stackalloc byte[1 + data.Length];
            input[0] = LeafPrefix;
            data.CopyTo(input[1..]);
            SHA256.HashData(input, destination);
            return;
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData([LeafPrefix]);
        hash.AppendData(data);
        hash.GetHashAndReset(destination);
    }

    public static byte[] Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        var hash = new byte[Size];
        Node(left, right, hash);
        return hash;
    }

    /// <summary>The node over two children; <paramref name="destination"/> may be either child's buffer.</summary>
    public static void Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[1 + 2 * Size];
        input[0] = NodePrefix;
        left.CopyTo(input.Slice(1, Size));
        right.CopyTo(input.Slice(1 + Size, Size));
        SHA256.HashData(input, destination);
    }
}
