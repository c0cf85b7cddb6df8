using System.Diagnostics;
using Ledger.EventStore.Tests.Export;

namespace Ledger.EventStore.Tests.Merkle;

/// <summary>
/// tools/verify-export.py's Merkle functions (written from docs/ledger-format.md §13 and RFC 9162) against the same
/// published vectors as the C# ones: the reference roots, and every transparency-dev/merkle probe verifying or failing
/// as it says (with the one probe Ledger is stricter about). Skipped, and said so, without python3.
/// </summary>
public sealed class PythonProofVerifierTests
{
    // Loads the script as a module and runs every probe; prints one line per disagreement, then the counts.
    private const string Program = """
        import base64, glob, importlib.util, json, os, sys
        spec = importlib.util.spec_from_file_location("verify_export", sys.argv[1])
        v = importlib.util.module_from_spec(spec); spec.loader.exec_module(v)
        leaves = [v.merkle_leaf_hash(bytes.fromhex(h)) for h in sys.argv[3].split(",")]
        roots = sys.argv[4].split(",")
        for n in range(len(roots)):
            if v.merkle_root(leaves[:n]).hex() != roots[n]: print("root %d differs" % n)
        b = lambda x: base64.b64decode(x) if x else b""
        stricter = {"consistency/additional/sizes-are-equal-one-and-proof-is-empty.json"}
        count = 0
        for path in sorted(glob.glob(os.path.join(sys.argv[2], "**", "*.json"), recursive=True)):
            name = os.path.relpath(path, sys.argv[2]).replace(os.sep, "/")
            p = json.load(open(path)); proof = [b(h) for h in (p["proof"] or [])]; count += 1
            if name.startswith("inclusion"):
                failure = v.verify_inclusion(p["leafIdx"], p["treeSize"], b(p["leafHash"]), proof, b(p["root"]))
            else:
                failure = v.verify_consistency(p["size1"], p["size2"], proof, b(p["root1"]), b(p["root2"]))
            if (failure is not None) != (p["wantErr"] or name in stricter): print("%s (%s): %s" % (name, p["desc"], failure))
        print("probes %d" % count)
        """;

    [Fact]
    public async Task The_python_verifiers_agree_with_every_published_vector()
    {
        if (Find() is not { } python)
        {
            Console.WriteLine("python3 is not on the PATH: tools/verify-export.py was not run");
            return;
        }
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-c", Program, PythonVerifier.Script, Path.Combine(AppContext.BaseDirectory, "Merkle", "Vectors"),
                     string.Join(",", ReferenceTree.LeafInputs), string.Join(",", ReferenceTree.Roots) })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(1)).Token);

        (process.ExitCode, await error).ShouldBe((0, ""));
        (await output).Trim().ShouldBe("probes 196", "every probe as it says, every root as published");
    }

    private static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, "python3")).FirstOrDefault(File.Exists);
}
