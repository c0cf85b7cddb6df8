using System.Text.Json;
using Ledger.EventStore.Tests.Merkle;

namespace Ledger.EventStore.Tests.Browser;

/// <summary>
/// The page's RFC 8785, its RFC 6962 hashing and proof checks, and its ES256, against the published vectors and the
/// worked examples of docs/ledger-format.md, in the browser: the RFC 8785 vectors as they are in /work/shared/testdata
/// (vendored under testdata/jcs), transparency-dev/merkle's probes (Merkle/Vectors) and reference proofs.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserVectorTests(VerifierPage page)
{
    private static string JcsFolder => Path.Combine(Export.PythonVerifier.RepoRoot(), "testdata", "jcs");

    public static TheoryData<string> JcsVectors => [.. Directory.GetFiles(Path.Combine(JcsFolder, "input")).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Theory, MemberData(nameof(JcsVectors))]
    public async Task The_RFC_8785_vectors_canonicalise_exactly(string name)
    {
        var input = await File.ReadAllTextAsync(Path.Combine(JcsFolder, "input", name));
        var expected = await File.ReadAllBytesAsync(Path.Combine(JcsFolder, "output", name));
        var hex = await page.Page.EvaluateAsync<string>(
            "text => LedgerVerify.toHex(new TextEncoder().encode(LedgerVerify.canonicalize(JSON.parse(text))))", input);
        hex.ShouldBe(Convert.ToHexStringLower(expected), name);
    }

    [Fact]
    public async Task A_member_name_twice_is_refused_by_the_strict_reader_that_JSON_parse_would_let_through()
    {
        (await page.Page.EvaluateAsync<string>("() => { try { LedgerVerify.parseStrict('{\"a\":1,\"b\":{\"c\":2,\"c\":3}}'); return 'read'; } catch (e) { return e.message; } }"))
            .ShouldContain("duplicate member name \"c\"");
        (await page.Page.EvaluateAsync<string>("() => LedgerVerify.canonicalize(LedgerVerify.parseStrict(' { \"b\" : [1e2, -0, 0.1], \"a\" : \"\\\\u20ac\" } '))"))
            .ShouldBe("""{"a":"€","b":[100,0,0.1]}""");
    }

    [Fact]
    public async Task The_roots_of_the_reference_trees_are_the_published_ones_whatever_the_batches_the_leaves_come_in()
    {
        var roots = await page.Page.EvaluateAsync<string[]>("""
            async leaves => {
              const L = LedgerVerify, hashes = await Promise.all(leaves.map(h => L.leafHash(L.fromHex(h)))), roots = [];
              for (const batches of [[1, 1, 1, 1, 1, 1, 1, 1], [3, 3, 2], [8], [5, 3], [2, 1, 4, 1]]) {
                const f = new L.Frontier(0, []);
                let at = 0;
                for (const n of batches) { await f.append(hashes.slice(at, at + n)); at += n; roots.push(L.toHex(await f.root())); }
              }
              return roots;
            }
            """, ReferenceTree.LeafInputs);
        roots.ShouldBe([
            .. ReferenceTree.Roots[1..9],
            ReferenceTree.Roots[3], ReferenceTree.Roots[6], ReferenceTree.Roots[8],
            ReferenceTree.Roots[8],
            ReferenceTree.Roots[5], ReferenceTree.Roots[8],
            ReferenceTree.Roots[2], ReferenceTree.Roots[3], ReferenceTree.Roots[7], ReferenceTree.Roots[8],
        ]);
    }

    [Fact]
    public async Task A_frontier_given_for_a_later_start_continues_the_tree_to_the_published_root()
    {
        // Leaves 0..4 are covered by the perfect subtrees [0,4) and [4,5): the two roots tree_frontier would list.
        var leaves = ReferenceTree.LeafHashes();
        string[] frontier = [Convert.ToHexStringLower(ReferenceTree.Root(4)), Convert.ToHexStringLower(leaves[4])];
        var root = await page.Page.EvaluateAsync<string>("""
            async ([frontier, rest]) => {
              const L = LedgerVerify, f = new L.Frontier(5, frontier.map(L.fromHex));
              await f.append(rest.map(L.fromHex));
              return L.toHex(await f.root());
            }
            """, new object[] { frontier, leaves[5..].Select(Convert.ToHexStringLower).ToArray() });
        root.ShouldBe(ReferenceTree.Roots[8]);
    }

    [Theory, MemberData(nameof(MerkleReferenceVectorTests.InclusionVectors), MemberType = typeof(MerkleReferenceVectorTests))]
    public async Task The_reference_audit_paths_verify(int index, int size, string[] proof)
    {
        var leaves = ReferenceTree.LeafHashes(size);
        (await Inclusion(index.ToString(), size.ToString(), Convert.ToHexStringLower(leaves[index]), proof, ReferenceTree.Roots[size])).ShouldBeNull();
        // …and not for the next leaf, nor against the root of another size.
        if (index + 1 < size)
            (await Inclusion((index + 1).ToString(), size.ToString(), Convert.ToHexStringLower(leaves[index]), proof, ReferenceTree.Roots[size])).ShouldNotBeNull();
        (await Inclusion(index.ToString(), size.ToString(), Convert.ToHexStringLower(leaves[index]), proof, ReferenceTree.Roots[size - 1])).ShouldNotBeNull();
    }

    [Theory, MemberData(nameof(MerkleReferenceVectorTests.ConsistencyVectors), MemberType = typeof(MerkleReferenceVectorTests))]
    public async Task The_reference_consistency_proofs_verify(int first, int second, string[] proof)
    {
        (await Consistency(first.ToString(), second.ToString(), proof, ReferenceTree.Roots[first], ReferenceTree.Roots[second])).ShouldBeNull();
        if (proof.Length > 0)
            (await Consistency(first.ToString(), second.ToString(), proof[..^1], ReferenceTree.Roots[first], ReferenceTree.Roots[second])).ShouldNotBeNull("truncated");
    }

    [Fact]
    public async Task Every_published_probe_verifies_or_fails_as_it_says()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Merkle", "Vectors");
        var files = Directory.GetFiles(folder, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        files.Count.ShouldBe(196);
        foreach (var path in files)
        {
            var file = Path.GetRelativePath(folder, path).Replace('\\', '/');
            using var probe = JsonDocument.Parse(await File.ReadAllBytesAsync(path));
            var p = probe.RootElement;
            var proof = p.GetProperty("proof").ValueKind == JsonValueKind.Null ? [] : p.GetProperty("proof").EnumerateArray().Select(h => Hex(h)).ToArray();
            var failure = file.StartsWith("inclusion", StringComparison.Ordinal)
                ? await Inclusion(p.GetProperty("leafIdx").GetRawText(), p.GetProperty("treeSize").GetRawText(), Hex(p.GetProperty("leafHash")), proof, Hex(p.GetProperty("root")))
                : await Consistency(p.GetProperty("size1").GetRawText(), p.GetProperty("size2").GetRawText(), proof, Hex(p.GetProperty("root1")), Hex(p.GetProperty("root2")));
            var desc = p.GetProperty("desc").GetString();
            // As MerkleReferenceVectorTests: Ledger's verifiers take nothing but 32-byte hashes, where the reference only compares.
            if (file == "consistency/additional/sizes-are-equal-one-and-proof-is-empty.json") failure.ShouldBe("every hash has 32 bytes");
            else if (p.GetProperty("wantErr").GetBoolean()) failure.ShouldNotBeNull($"{file} ({desc}) must fail");
            else failure.ShouldBeNull($"{file} ({desc}) must verify");
        }
    }

    [Fact]
    public async Task The_worked_examples_of_the_format_document_hold()
    {
        // §6: the record's entry hash and its link; §13: the tree of size 1 over it.
        const string record = """{"data":{"currency":"EUR","customer_id":"C-1001","lines":[{"description":"Widget","quantity":2,"sku":"SKU-1","unit_price":"12.50"}],"order_id":"0192f4c2-7b1e-7cc1-9a55-3f1b2c4d5e6f","total":"25.00"},"event_id":"0192f4c2-7b1f-7d2e-8f00-1a2b3c4d5e6f","event_type":"commerce.order.created","event_version":1,"metadata":{"actor":"clerk-7","correlation_id":"c0rr-1","origin":"http"},"occurred_at":"2026-11-23T16:18:16.123456Z","record_format":1,"stream_id":"order-0192f4c2-7b1e-7cc1-9a55-3f1b2c4d5e6f","stream_version":1,"tenant_id":"acme"}""";
        var hashes = await page.Page.EvaluateAsync<string[]>("""
            async record => {
              const L = LedgerVerify, entry = await L.sha256(new TextEncoder().encode(L.canonicalize(JSON.parse(record))));
              const link = new Uint8Array(64); link.set(entry, 32);
              return [L.toHex(entry), L.toHex(await L.sha256(link)), L.toHex(await L.leafHash(entry))];
            }
            """, record);
        hashes.ShouldBe([
            "f6d26cae65ead7895e75ad309c9b4c1a2175352804114b639bd71bb272dd2b57",
            "afd6e1ac19b423a423f246a41d54ee72da4848772fe03ad3908e1b1d6b6d8171",
            "33c626ef24cab785311799414f67eb30808682b1108e9b5f5ec24b0d60bd5332",
        ]);

        // §12: the checkpoint verifies with the key; not with one byte of its signature changed, not for another
        // tenant, and not once its key is revoked before the time it states.
        const string jwks = """{"keys":[{"alg":"ES256","crv":"P-256","kid":"ejZyUB88NvuLpqCa_4E7zEWkp3vzrSTR6FvkKBs-v9A","kty":"EC","retired":false,"use":"sig","valid_from":"2026-11-01T00:00:00.000000Z","x":"A2v-muFYM5zzYPmgwpEdwhW_Zlzumh5gXyTNhb0a0Oo","y":"nio_LSxa993-WJCrO0-rNsbwe1prCCIsz-xrjOGllU8"}]}""";
        const string checkpoint = "eyJhbGciOiJFUzI1NiIsImtpZCI6ImVqWnlVQjg4TnZ1THBxQ2FfNEU3ekVXa3AzdnpyU1RSNkZ2a0tCcy12OUEiLCJ0eXAiOiJsZWRnZXItY2hlY2twb2ludCtqd3MifQ.eyJjaGFpbl9oYXNoIjoiYWZkNmUxYWMxOWI0MjNhNDIzZjI0NmE0MWQ1NGVlNzJkYTQ4NDg3NzJmZTAzYWQzOTA4ZTFiMWQ2YjZkODE3MSIsImNoYWluX3NlcSI6MSwiY2hlY2twb2ludF9mb3JtYXQiOjEsImlzc3VlZF9hdCI6IjIwMjYtMTEtMjNUMTY6MjA6MDAuMTIzNDU2WiIsInRlbmFudF9pZCI6ImFjbWUifQ.pSjBzxCAtN7Kxcu8Q02pT_UgcR9pcO50l9EqZ1drGCEkcMutf8lYcXOvOUllRDmB5njfCwnU8Su00HyxB6dwwA";
        var revoked = jwks.Replace("\"retired\":false,", "\"retired\":false,\"revoked_at\":\"2026-11-23T16:20:00.123456Z\",", StringComparison.Ordinal);
        var tampered = checkpoint[..^2] + (checkpoint[^2] == 'w' ? 'x' : 'w') + checkpoint[^1];
        var results = await page.Page.EvaluateAsync<string[]>("""
            async ([jwks, revoked, good, bad]) => {
              const L = LedgerVerify, keys = await L.readKeySet(jwks), revokedKeys = await L.readKeySet(revoked);
              const show = c => `${c.verified} ${c.position} ${c.detail}`;
              return [show(await L.readCheckpoint(good, 'acme', keys)), show(await L.readCheckpoint(bad, 'acme', keys)),
                      show(await L.readCheckpoint(good, 'other', keys)), show(await L.readCheckpoint(good, 'acme', revokedKeys))];
            }
            """, new object[] { jwks, revoked, checkpoint, tampered });
        results[0].ShouldBe("True 1 null", StringCompareShould.IgnoreCase);
        results[1].ShouldStartWith("false 1 checkpoint at 1: the signature does not verify");
        results[2].ShouldStartWith("false 1 checkpoint at 1: signed for tenant \"acme\"");
        results[3].ShouldStartWith("false 1 checkpoint at 1: revoked");

        // §12's format-2 checkpoint: it signs the tree of size 1 whose root §13 works out.
        var doc = await File.ReadAllTextAsync(Path.Combine(Export.PythonVerifier.RepoRoot(), "docs", "ledger-format.md"));
        string Line(string name) => doc.Split('\n').Single(l => l.StartsWith(name + " = ", StringComparison.Ordinal))[(name.Length + 3)..].Trim();
        var second = await page.Page.EvaluateAsync<string>("""
            async ([jwks, jws]) => {
              const c = await LedgerVerify.readCheckpoint(jws, 'acme', await LedgerVerify.readKeySet(jwks));
              return `${c.verified} ${c.payload.checkpoint_format} ${c.payload.tree_size} ${c.payload.tree_root}`;
            }
            """, new object[] { Line("jwks2"), Line("checkpoint2") });
        second.ShouldBe("true 2 1 " + hashes[2]);
    }

    private Task<string?> Inclusion(string index, string size, string leaf, string[] proof, string root) =>
        page.Page.EvaluateAsync<string?>(
            "async ([i, n, leaf, proof, root]) => LedgerVerify.inclusionFailure(BigInt(i), BigInt(n), LedgerVerify.fromHex(leaf), proof.map(LedgerVerify.fromHex), LedgerVerify.fromHex(root))",
            new object[] { index, size, leaf, proof, root });

    private Task<string?> Consistency(string first, string second, string[] proof, string firstRoot, string secondRoot) =>
        page.Page.EvaluateAsync<string?>(
            "async ([m, n, proof, a, b]) => LedgerVerify.consistencyFailure(BigInt(m), BigInt(n), proof.map(LedgerVerify.fromHex), LedgerVerify.fromHex(a), LedgerVerify.fromHex(b))",
            new object[] { first, second, proof, firstRoot, secondRoot });

    private static string Hex(JsonElement base64) =>
        base64.ValueKind == JsonValueKind.Null ? "" : Convert.ToHexStringLower(base64.GetBytesFromBase64());
}
