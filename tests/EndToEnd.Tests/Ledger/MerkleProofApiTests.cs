using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.EventStore.Merkle;
using Ledger.Host.Auth;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.Auditing;

/// <summary>
/// <c>GET /api/ledger/proofs/inclusion</c> and <c>/proofs/consistency</c>: every answer verifies against roots computed
/// here from the entries the API serves (RFC 6962's MTH written out), with the C# verifier and with
/// tools/verify-export.py; bad input is a 400 problem, sizes beyond the sealed log a 404, a broken chain a 409, and
/// another tenant's token sees only its own (empty) log.
/// </summary>
public sealed class MerkleProofApiTests(AuditorAppFixture app) : IClassFixture<AuditorAppFixture>
{
    [Fact]
    public async Task Inclusion_and_consistency_proofs_verify_against_roots_computed_from_the_served_entries()
    {
        var tenant = await app.TenantWithCheckpointsAsync();
        var auditor = app.Auditor(tenant);
        var leaves = await LeavesAsync(auditor);
        leaves.Count.ShouldBe(10);

        for (var position = 1; position <= 10; position++)
        {
            var answer = await AuditorApiTests.Json(auditor, $"/api/ledger/proofs/inclusion?position={position}");
            (answer.GetProperty("tenant_id").GetString(), answer.GetProperty("position").GetInt64(), answer.GetProperty("leaf_index").GetInt64(),
                answer.GetProperty("tree_size").GetInt64()).ShouldBe((tenant, position, position - 1L, 10L), "the tree of the sealed log by default");
            answer.GetProperty("root_hash").GetString().ShouldBe(Hex(Mth(leaves)));
            answer.GetProperty("leaf_hash").GetString().ShouldBe(Hex(leaves[position - 1]));
            MerkleProofVerifier.InclusionFailure(position - 1, 10, leaves[position - 1], Path(answer), Mth(leaves)).ShouldBeNull();
        }
        var smaller = await AuditorApiTests.Json(auditor, "/api/ledger/proofs/inclusion?position=3&tree_size=7");
        MerkleProofVerifier.InclusionFailure(2, 7, leaves[2], Path(smaller), Mth(leaves[..7])).ShouldBeNull();
        MerkleProofVerifier.InclusionFailure(2, 7, leaves[3], Path(smaller), Mth(leaves[..7])).ShouldNotBeNull("another entry's leaf");

        for (var first = 1; first <= 10; first++)
        {
            var answer = await AuditorApiTests.Json(auditor, $"/api/ledger/proofs/consistency?first_size={first}");
            (answer.GetProperty("first_size").GetInt64(), answer.GetProperty("second_size").GetInt64()).ShouldBe((first, 10L));
            (answer.GetProperty("first_root").GetString(), answer.GetProperty("second_root").GetString()).ShouldBe((Hex(Mth(leaves[..first])), Hex(Mth(leaves))));
            MerkleProofVerifier.ConsistencyFailure(first, 10, Path(answer), Mth(leaves[..first]), Mth(leaves)).ShouldBeNull($"{first} to 10");
        }
        var between = await AuditorApiTests.Json(auditor, "/api/ledger/proofs/consistency?first_size=4&second_size=7");
        MerkleProofVerifier.ConsistencyFailure(4, 7, Path(between), Mth(leaves[..4]), Mth(leaves[..7])).ShouldBeNull();
    }

    [Fact]
    public async Task The_offline_verifier_checks_the_answers_against_the_roots_the_auditor_holds()
    {
        var tenant = await app.TenantWithCheckpointsAsync();
        var auditor = app.Auditor(tenant);
        var leaves = await LeavesAsync(auditor);
        var folder = Directory.CreateTempSubdirectory("ledger-proofs-");
        try
        {
            async Task<int?> Python(JsonNode answer, string mode, params string[] more)
            {
                var file = System.IO.Path.Combine(folder.FullName, Guid.NewGuid().ToString("N") + ".json");
                await File.WriteAllTextAsync(file, answer.ToJsonString());
                var result = await PythonVerifier.RunAsync([mode, file, .. more]);
                return result?.ExitCode;
            }
            var inclusion = JsonNode.Parse((await AuditorApiTests.Json(auditor, "/api/ledger/proofs/inclusion?position=6&tree_size=9")).GetRawText())!;
            var consistency = JsonNode.Parse((await AuditorApiTests.Json(auditor, "/api/ledger/proofs/consistency?first_size=5&second_size=9")).GetRawText())!;
            var (root5, root9, root10) = (Hex(Mth(leaves[..5])), Hex(Mth(leaves[..9])), Hex(Mth(leaves)));

            if (await Python(inclusion, "--inclusion", "--root", root9) is not { } ok) return; // no python3 here: said on the console
            ok.ShouldBe(0);
            (await Python(consistency, "--consistency", "--first-root", root5, "--root", root9)).ShouldBe(0);

            (await Python(inclusion, "--inclusion", "--root", root10)).ShouldBe(1, "a root from another tree");
            (await Python(inclusion, "--inclusion", "--root", root9, "--entry-hash", Hex(SHA256.HashData([1])))).ShouldBe(1, "another entry");
            // (Sizes 9 and 10 give leaf 5 paths of one shape: the root and the size must come together, as a checkpoint signs them.)
            (await Python(With(inclusion, "tree_size", 8), "--inclusion", "--root", root9)).ShouldBe(1, "a wrong tree size");
            (await Python(With(inclusion, "proof", Cut(inclusion["proof"]!)), "--inclusion", "--root", root9)).ShouldBe(1, "a truncated path");
            (await Python(With(inclusion, "proof", Extend(inclusion["proof"]!, root9)), "--inclusion", "--root", root9)).ShouldBe(1, "an extended path");
            (await Python(consistency, "--consistency", "--first-root", root9, "--root", root9)).ShouldBe(1, "a first root from another tree");
            (await Python(With(consistency, "proof", Cut(consistency["proof"]!)), "--consistency", "--first-root", root5, "--root", root9)).ShouldBe(1);
            (await Python(With(consistency, "first_size", 0), "--consistency")).ShouldBe(1, "first size 0");
            (await Python(With(consistency, "proof", "x"), "--consistency")).ShouldBe(2, "an unreadable answer");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Bad_input_is_a_400_problem_and_sizes_beyond_the_sealed_log_a_404()
    {
        var tenant = await app.TenantWithCheckpointsAsync();
        var auditor = app.Auditor(tenant);
        async Task Problem(string path, HttpStatusCode status, string code) => await (await auditor.GetAsync(path)).ShouldBeProblem(status, code);

        await Problem("/api/ledger/proofs/inclusion", HttpStatusCode.BadRequest, "validation.required");
        await Problem("/api/ledger/proofs/inclusion?position=0", HttpStatusCode.BadRequest, "validation.out_of_range");
        await Problem("/api/ledger/proofs/inclusion?position=-3", HttpStatusCode.BadRequest, "validation.out_of_range");
        await Problem("/api/ledger/proofs/inclusion?position=x", HttpStatusCode.BadRequest, "request.malformed");
        await Problem("/api/ledger/proofs/inclusion?position=99999999999999999999", HttpStatusCode.BadRequest, "request.malformed");
        await Problem("/api/ledger/proofs/inclusion?position=2&tree_size=0", HttpStatusCode.BadRequest, "validation.out_of_range");
        await Problem("/api/ledger/proofs/inclusion?position=5&tree_size=4", HttpStatusCode.BadRequest, "validation.out_of_range");
        await Problem("/api/ledger/proofs/inclusion?position=1&tree_size=size", HttpStatusCode.BadRequest, "request.malformed");
        var beyond = await Problem2("/api/ledger/proofs/inclusion?position=1&tree_size=11");
        beyond.GetProperty("sealed_size").GetInt64().ShouldBe(10);
        await Problem("/api/ledger/proofs/inclusion?position=11", HttpStatusCode.NotFound, "ledger.beyond_sealed_log");
        await Problem($"/api/ledger/proofs/inclusion?position=1&tree_size={long.MaxValue}", HttpStatusCode.NotFound, "ledger.beyond_sealed_log");

        await Problem("/api/ledger/proofs/consistency", HttpStatusCode.BadRequest, "validation.required");
        await Problem("/api/ledger/proofs/consistency?first_size=0", HttpStatusCode.BadRequest, "validation.out_of_range");
        await Problem("/api/ledger/proofs/consistency?first_size=5&second_size=4", HttpStatusCode.BadRequest, "validation.out_of_range");
        await Problem("/api/ledger/proofs/consistency?first_size=1&second_size=0", HttpStatusCode.BadRequest, "validation.out_of_range");
        await Problem("/api/ledger/proofs/consistency?first_size=one", HttpStatusCode.BadRequest, "request.malformed");
        await Problem("/api/ledger/proofs/consistency?first_size=3&second_size=11", HttpStatusCode.NotFound, "ledger.beyond_sealed_log");
        await Problem("/api/ledger/proofs/consistency?first_size=11", HttpStatusCode.NotFound, "ledger.beyond_sealed_log");
        (await AuditorApiTests.Json(auditor, "/api/ledger/proofs/consistency?first_size=10")).GetProperty("proof").GetArrayLength().ShouldBe(0);

        async Task<JsonElement> Problem2(string path) =>
            await (await auditor.GetAsync(path)).ShouldBeProblem(HttpStatusCode.NotFound, "ledger.beyond_sealed_log");
    }

    [Fact]
    public async Task Only_the_tenants_auditors_see_its_proofs_and_a_broken_chain_is_a_409()
    {
        var tenant = await app.TenantWithCheckpointsAsync();
        string[] paths = ["/api/ledger/proofs/inclusion?position=1", "/api/ledger/proofs/consistency?first_size=1"];
        foreach (var path in paths)
        {
            await (await app.Client().GetAsync(path)).ShouldBeProblem(HttpStatusCode.Unauthorized, "auth.unauthenticated");
            foreach (var role in new[] { LedgerRoles.Clerk, LedgerRoles.Accountant, LedgerRoles.Operator })
                await (await app.Client(app.Tokens.For(tenant, role)).GetAsync(path)).ShouldBeProblem(HttpStatusCode.Forbidden, "auth.forbidden");
            var other = app.Auditor(TestDatabase.NewTenant("other"));
            var problem = await (await other.GetAsync(path)).ShouldBeProblem(HttpStatusCode.NotFound, "ledger.beyond_sealed_log");
            problem.GetProperty("sealed_size").GetInt64().ShouldBe(0, "another tenant's log is simply not there");
        }

        await app.TamperAsync("DELETE FROM events WHERE tenant_id = $1 AND chain_seq = 7", tenant);
        var auditor = app.Auditor(tenant);
        await (await auditor.GetAsync("/api/ledger/proofs/inclusion?position=2")).ShouldBeProblem(HttpStatusCode.Conflict, "ledger.chain_broken");
        await (await auditor.GetAsync("/api/ledger/proofs/consistency?first_size=3&second_size=8")).ShouldBeProblem(HttpStatusCode.Conflict, "ledger.chain_broken");
        (await AuditorApiTests.Json(auditor, "/api/ledger/proofs/consistency?first_size=3&second_size=6")).GetProperty("proof").GetArrayLength().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Ledger_verify_proof_checks_saved_answers_offline_against_the_tree_roots_of_kept_checkpoints()
    {
        var tenant = await app.TenantWithCheckpointsAsync();
        var auditor = app.Auditor(tenant);
        var jwks = app.NewPath("jwks.json");
        await File.WriteAllBytesAsync(jwks, await auditor.GetByteArrayAsync("/api/ledger/jwks"));
        var (five, ten) = (app.NewPath("checkpoint-5.jws"), app.NewPath("checkpoint-10.jws"));
        await File.WriteAllTextAsync(five, (await AuditorApiTests.Json(auditor, "/api/ledger/checkpoints/5")).GetProperty("jws").GetString());
        var latest = await AuditorApiTests.Json(auditor, "/api/ledger/checkpoints/10");
        await File.WriteAllTextAsync(ten, latest.GetProperty("jws").GetString());
        var inclusion = app.NewPath("inclusion.json");
        await File.WriteAllBytesAsync(inclusion, await auditor.GetByteArrayAsync("/api/ledger/proofs/inclusion?position=4"));
        var consistency = app.NewPath("consistency.json");
        await File.WriteAllBytesAsync(consistency, await auditor.GetByteArrayAsync("/api/ledger/proofs/consistency?first_size=5&second_size=10"));

        var included = await app.LedgerAsync("verify-proof", "--inclusion", inclusion, "--checkpoint", ten, "--jwks", jwks);
        included.ExitCode.ShouldBe(0, included.Stdout + included.Stderr);
        included.Stdout.ShouldContain("signature verified");
        included.Stdout.ShouldContain("roots: the roots given");
        included.Stdout.ShouldContain("OK entry 4 (leaf 3) is in the tree of size 10 with root " + latest.GetProperty("tree_root").GetString());

        var grew = await app.LedgerAsync("verify-proof", "--consistency", consistency, "--checkpoint", five, "--jwks", jwks,
            "--root", latest.GetProperty("tree_root").GetString()!);
        grew.ExitCode.ShouldBe(0, grew.Stdout + grew.Stderr);
        grew.Stdout.ShouldContain("OK the tree of size 5");

        var forged = JsonNode.Parse(await File.ReadAllTextAsync(inclusion))!;
        forged["proof"]![0] = new string('0', 64);
        await File.WriteAllTextAsync(inclusion, forged.ToJsonString());
        var refused = await app.LedgerAsync("verify-proof", "--inclusion", inclusion, "--checkpoint", ten, "--jwks", jwks);
        refused.ExitCode.ShouldBe(1, refused.Stdout + refused.Stderr);
        refused.Stdout.ShouldContain("FAIL bad_proof");
        (await app.LedgerAsync("verify-proof", "--inclusion", inclusion, "--checkpoint", ten)).ExitCode.ShouldBe(2, "a kept checkpoint needs the key set to trust");
        (await app.LedgerAsync("verify-proof", "--consistency", consistency, "--checkpoint", ten, "--jwks", jwks, "--root", new string('0', 64))).ExitCode
            .ShouldBe(1, "the checkpoint at 10 gives no root of size 5, and the root given for 10 is wrong");
    }

    // The leaves from the served entries: SHA-256(0x00 ‖ entry hash), the entry hash first checked against its record.
    private static async Task<List<byte[]>> LeavesAsync(HttpClient auditor)
    {
        var leaves = new List<byte[]>();
        for (long? from = 1; from is { } f;)
        {
            var page = await AuditorApiTests.Json(auditor, $"/api/ledger/entries?from={f}");
            foreach (var entry in page.GetProperty("entries").EnumerateArray())
            {
                var entryHash = Convert.FromHexString(entry.GetProperty("entry_hash").GetString()!);
                SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(entry.GetProperty("record").GetRawText())).ShouldBe(entryHash);
                leaves.Add(SHA256.HashData([0, .. entryHash]));
            }
            from = page.GetProperty("next_from").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next_from").GetInt64();
        }
        return leaves;
    }

    // RFC 6962 §2.1 as written: MTH(D[n]) = SHA-256(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n])), k the largest power of two below n.
    private static byte[] Mth(List<byte[]> d)
    {
        if (d.Count == 1) return d[0];
        var k = 1;
        while (k * 2 < d.Count) k *= 2;
        return SHA256.HashData([1, .. Mth(d[..k]), .. Mth(d[k..])]);
    }

    private static List<byte[]> Path(JsonElement answer) =>
        [.. answer.GetProperty("proof").EnumerateArray().Select(h => Convert.FromHexString(h.GetString()!))];

    private static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);

    private static JsonNode With(JsonNode answer, string member, JsonNode? value)
    {
        var copy = answer.DeepClone();
        copy[member] = value;
        return copy;
    }

    private static JsonArray Cut(JsonNode proof) => [.. proof.AsArray().Take(proof.AsArray().Count - 1).Select(h => h!.DeepClone())];

    private static JsonArray Extend(JsonNode proof, string hash) => [.. proof.AsArray().Select(h => h!.DeepClone()), hash];
}
