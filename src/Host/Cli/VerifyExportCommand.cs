using System.CommandLine;
using System.Globalization;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Export;

namespace Ledger.Host.Cli;

/// <summary>
/// <c>ledger verify-export &lt;folder or archive&gt; [--jwks keys.json] [--checkpoints file]</c>: the offline verifier. No
/// database, no network, no configuration: exit 0 when the export verifies, 1 when it does not, 2 when it cannot be read.
/// </summary>
internal static class VerifyExportCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("export") { Description = "The export: a folder, or a .tar, .tar.gz, .tgz or .zip file." };
        var jwks = new Option<string?>("--jwks")
        {
            Description = "The key set to trust (GET /api/ledger/jwks, kept by the auditor). Default: the export's own jwks.json.",
        };
        var checkpoints = new Option<string?>("--checkpoints")
        {
            Description = "A file of checkpoint JWSs kept from earlier, one per line, that the export must agree with too.",
        };

        var command = new Command("verify-export", "Verify a signed export offline.") { path, jwks, checkpoints };
        command.SetAction(async (parse, ct) =>
        {
            var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            LedgerKeySet? trusted = null;
            IReadOnlyList<string> extra = [];
            ExportFolder folder;
            try
            {
                if (parse.GetValue(jwks) is { } jwksPath) trusted = LedgerKeySet.Parse(await File.ReadAllBytesAsync(jwksPath, ct));
                if (parse.GetValue(checkpoints) is { } checkpointsPath)
                    extra = (await File.ReadAllLinesAsync(checkpointsPath, ct)).Where(l => l.Trim().Length > 0).ToList();
                folder = ExportArchive.Open(parse.GetRequiredValue(path));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidDataException)
            {
                await error.WriteLineAsync("verify-export: " + e.Message);
                return 2;
            }

            using (folder)
            {
                var result = ExportVerifier.Verify(folder.Path, trusted, extra);
                foreach (var line in Describe(result)) await output.WriteLineAsync(line);
                return result.Succeeded ? 0 : 1;
            }
        });
        return command;
    }

    // Whether the export claims to reach the end of the log: then a kept checkpoint past its end makes it incomplete.
    private static string Extent(ExportManifest m) => m.Head switch
    {
        null => "",
        { } head when m.ClaimsWholeLog => string.Create(CultureInfo.InvariantCulture, $" (the whole log: head {head})"),
        { } head => string.Create(CultureInfo.InvariantCulture, $" (of a log whose head was {head})"),
    };

    public static IEnumerable<string> Describe(ExportVerification result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Manifest is { } m)
            yield return string.Create(CultureInfo.InvariantCulture,
                $"export of tenant {m.TenantId}, positions {m.From}..{m.To}{Extent(m)}: {m.Count} entries, {m.CheckpointCount} checkpoints, manifest signed by key {result.ManifestKid ?? "(unverified)"} at {EventStore.Chain.LedgerRecord.FormatTimestamp(m.CreatedAt)}");
        yield return result.KeysFromExport
            ? "keys: the export's own jwks.json (this shows the export is intact, not who signed it: pass --jwks with the key set Ledger publishes)"
            : "keys: the key set given with --jwks";
        foreach (var failure in result.Failures) yield return failure.ToString();
        if (result.Succeeded && result.TreeRootsUnchecked > 0)
            yield return string.Create(CultureInfo.InvariantCulture,
                $"note: {result.TreeRootsUnchecked} checkpoint tree root(s) not checked: the export starts at {result.Manifest!.From} without a tree_frontier");
        yield return result.Succeeded
            ? string.Create(CultureInfo.InvariantCulture,
                $"OK verified {result.Manifest!.From}..{result.VerifiedThrough}: {result.EntriesChecked} entries, {result.CheckpointsReached} of {result.CheckpointsInRange} checkpoints reached, last chain hash {Convert.ToHexStringLower(result.LastChainHash)}{(result.TreeRoot is { } root ? $", tree root {Convert.ToHexStringLower(root)}" : "")}")
            : string.Create(CultureInfo.InvariantCulture, $"FAILED verified through {result.VerifiedThrough}; {result.Failures.Count} problem(s)");
    }
}
