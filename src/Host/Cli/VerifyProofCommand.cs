using System.CommandLine;
using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Merkle;

namespace Ledger.Host.Cli;

/// <summary>
/// <c>ledger verify-proof (--inclusion | --consistency) answer.json [--root hex] [--first-root hex] [--entry-hash hex]
/// [--checkpoint file --jwks keys.json]</c>: checks a proof answer saved from the auditor API offline, as
/// tools/verify-export.py does. With <c>--checkpoint</c> (a checkpoint JWS the auditor kept, format 2) verified against
/// <c>--jwks</c>, its signed tree root is the root the proof must reach for the tree of its size. Exit 0 verified, 1 not,
/// 2 unreadable.
/// </summary>
internal static class VerifyProofCommand
{
    public static Command Create()
    {
        var inclusion = new Option<string?>("--inclusion") { Description = "An answer of GET /api/ledger/proofs/inclusion, saved as JSON." };
        var consistency = new Option<string?>("--consistency") { Description = "An answer of GET /api/ledger/proofs/consistency, saved as JSON." };
        var root = new Option<string?>("--root") { Description = "The trusted root (hex) of the proof's tree (tree_size, or second_size)." };
        var firstRoot = new Option<string?>("--first-root") { Description = "The trusted root (hex) of the tree of first_size." };
        var entryHash = new Option<string?>("--entry-hash") { Description = "The entry hash (hex) you hold for the proved entry." };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "A checkpoint JWS you kept (format 2): its signed tree root is the trusted root of its size." };
        var jwks = new Option<string?>("--jwks") { Description = "The key set to verify --checkpoint with (GET /api/ledger/jwks, kept)." };
        var command = new Command("verify-proof", "Check a Merkle inclusion or consistency proof offline against roots you trust.")
        {
            inclusion, consistency, root, firstRoot, entryHash, checkpoint, jwks,
        };
        command.SetAction(async (parse, ct) =>
        {
            var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            try
            {
                if (parse.GetValue(inclusion) is null == parse.GetValue(consistency) is null)
                    throw new FormatException("give exactly one of --inclusion and --consistency");
                var answer = await File.ReadAllBytesAsync((parse.GetValue(inclusion) ?? parse.GetValue(consistency))!, ct);
                var (trusted, trustedFirst) = (Hex(parse.GetValue(root), "--root"), Hex(parse.GetValue(firstRoot), "--first-root"));
                if (parse.GetValue(checkpoint) is { } held)
                {
                    var signed = await SignedRootAsync(held, parse.GetValue(jwks), ct);
                    await output.WriteLineAsync($"checkpoint: tenant {signed.TenantId}, tree of size {signed.ChainSeq}, root {Convert.ToHexStringLower(signed.TreeRoot!)}, signature verified");
                    var size = TreeSize(answer, parse.GetValue(inclusion) is not null);
                    if (size.Second == signed.ChainSeq) trusted ??= signed.TreeRoot;
                    else if (size.First == signed.ChainSeq) trustedFirst ??= signed.TreeRoot;
                    else throw new FormatException($"the checkpoint is at size {signed.ChainSeq}; the proof is about size {size.Second}{(size.First is { } f ? $" and {f}" : "")}");
                }
                var check = parse.GetValue(inclusion) is not null
                    ? ProofAnswer.Inclusion(answer, trusted, Hex(parse.GetValue(entryHash), "--entry-hash"))
                    : ProofAnswer.Consistency(answer, trustedFirst, trusted);
                await output.WriteLineAsync("roots: " + (check.RootsGiven ? "the roots given" : "the answer's own roots (pass --root or --checkpoint to check against one you trust)"));
                if (!check.Verified)
                {
                    await output.WriteLineAsync($"FAIL bad_proof: {check.Failure}");
                    await output.WriteLineAsync("FAILED the proof does not verify");
                    return 1;
                }
                await output.WriteLineAsync("OK " + check.Proved);
                return 0;
            }
            catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException
                                       or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
            {
                await error.WriteLineAsync($"verify-proof: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    private static byte[]? Hex(string? text, string what) => text is null ? null : ChainEntryJson.Hex32(text, what);

    // A kept checkpoint counts only if it verifies with the auditor's key set and signs a tree (format 2).
    private static async Task<Checkpoint> SignedRootAsync(string file, string? jwksFile, CancellationToken ct)
    {
        if (jwksFile is null) throw new FormatException("--checkpoint needs --jwks: the key set you trust");
        var keys = LedgerKeySet.Parse(await File.ReadAllBytesAsync(jwksFile, ct));
        var jws = (await File.ReadAllTextAsync(file, ct)).Trim();
        var verified = Es256Jws.Verify(jws, keys, Es256Jws.CheckpointType);
        if (!verified.Succeeded) throw new FormatException($"the checkpoint does not verify: {verified.Error}");
        var checkpoint = Checkpoint.ParsePayload(verified.Payload);
        if (verified.Key!.Refusal(checkpoint.IssuedAt) is { } refusal) throw new FormatException("the checkpoint does not count: " + refusal);
        return checkpoint.TreeRoot is null ? throw new FormatException("the checkpoint is of format 1: it signs no tree root") : checkpoint;
    }

    private static (long Second, long? First) TreeSize(byte[] answer, bool isInclusion)
    {
        using var document = System.Text.Json.JsonDocument.Parse(answer);
        var root = document.RootElement;
        return isInclusion
            ? (root.GetProperty("tree_size").GetInt64(), null)
            : (root.GetProperty("second_size").GetInt64(), root.GetProperty("first_size").GetInt64());
    }
}
