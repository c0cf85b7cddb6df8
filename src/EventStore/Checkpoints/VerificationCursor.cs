using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using Ledger.EventStore.Chain;

namespace Ledger.EventStore.Checkpoints;

/// <summary>
/// Where a resumable verification stopped: the range it walks, the next position, and the chain hash it recomputed
/// up to there. Resuming continues the same walk, so the pages of a long chain verify as one. Opaque to clients
/// (base64url JSON); one who alters it only misleads themselves, as the server keeps no state between pages.
/// <see cref="Tree"/> is the Merkle frontier of the entries before <see cref="Next"/>, for the tree roots checkpoints sign.
/// </summary>
public sealed record VerificationCursor(
    long From, long To, long Next, byte[] Previous, long EntriesChecked, int CheckpointsReached, IReadOnlyList<byte[]>? Tree = null)
{
    public string Encode()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", 1);
            writer.WriteNumber("from", From);
            writer.WriteNumber("to", To);
            writer.WriteNumber("next", Next);
            writer.WriteString("previous", Convert.ToHexStringLower(Previous));
            writer.WriteNumber("checked", EntriesChecked);
            writer.WriteNumber("checkpoints", CheckpointsReached);
            if (Tree is not null)
            {
                writer.WriteStartArray("tree");
                foreach (var hash in Tree) writer.WriteStringValue(Convert.ToHexStringLower(hash));
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }
        return Base64Url.EncodeToString(buffer.WrittenSpan);
    }

    /// <exception cref="FormatException">not a cursor this server wrote.</exception>
    public static VerificationCursor Decode(string cursor)
    {
        try
        {
            using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(cursor));
            var root = document.RootElement;
            if (root.GetProperty("v").GetInt32() != 1) throw new FormatException("unknown cursor version");
            var decoded = new VerificationCursor(root.GetProperty("from").GetInt64(), root.GetProperty("to").GetInt64(),
                root.GetProperty("next").GetInt64(), ChainEntryJson.Hex32(root.GetProperty("previous").GetString()!, "previous"),
                root.GetProperty("checked").GetInt64(), root.GetProperty("checkpoints").GetInt32(),
                root.TryGetProperty("tree", out var tree) ? [.. tree.EnumerateArray().Select(h => ChainEntryJson.Hex32(h.GetString()!, "tree"))] : null);
            if (decoded.From < 1 || decoded.Next < decoded.From || decoded.Next > decoded.To + 1 || decoded.EntriesChecked < 0 || decoded.CheckpointsReached < 0)
                throw new FormatException("the cursor's positions are inconsistent");
            if (decoded.Tree is { } frontier && frontier.Count != long.PopCount(decoded.Next - 1))
                throw new FormatException("the cursor's tree does not fit its position");
            return decoded;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException)
        {
            throw new FormatException("not a verification cursor", e);
        }
    }
}
