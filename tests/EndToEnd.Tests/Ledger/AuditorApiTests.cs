using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Export;
using Ledger.Host.Auth;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.Auditing;

public sealed class AuditorApiTests(AuditorAppFixture app) : IClassFixture<AuditorAppFixture>
{
    private static readonly string[] ReadEndpoints =
    [
        "/api/ledger/checkpoints/latest", "/api/ledger/checkpoints/5", "/api/ledger/checkpoints",
        "/api/ledger/entries", "/api/ledger/verify", "/api/ledger/export", "/api/ledger/sealed",
    ];

    [Fact]
    public async Task Only_auditors_may_read_the_ledger_but_the_key_set_is_public()
    {
        var tenant = await app.TenantWithCheckpointsAsync();
        foreach (var role in new[] { LedgerRoles.Clerk, LedgerRoles.Accountant, LedgerRoles.Operator })
            foreach (var path in ReadEndpoints)
            {
                using var response = await app.Client(app.Tokens.For(tenant, role)).GetAsync(path);
                await response.ShouldBeProblem(HttpStatusCode.Forbidden, "auth.forbidden");
            }
        foreach (var path in ReadEndpoints)
        {
            using var response = await app.Client().GetAsync(path);
            await response.ShouldBeProblem(HttpStatusCode.Unauthorized, "auth.unauthenticated");
        }

        using var jwks = await app.Client().GetAsync("/api/ledger/jwks");
        jwks.StatusCode.ShouldBe(HttpStatusCode.OK);
        jwks.Content.Headers.ContentType!.MediaType.ShouldBe("application/jwk-set+json");
        var keys = LedgerKeySet.Parse(await jwks.Content.ReadAsByteArrayAsync());
        using var key = CheckpointKey.FromPem(await File.ReadAllTextAsync(app.CheckpointKeyPath));
        keys.Find(key.Kid).ShouldNotBeNull().Retired.ShouldBeFalse();
    }

    [Fact]
    public async Task Another_tenants_chain_and_checkpoints_are_invisible()
    {
        await app.TenantWithCheckpointsAsync();
        var auditor = app.Auditor(TestDatabase.NewTenant("other"));

        await (await auditor.GetAsync("/api/ledger/checkpoints/latest")).ShouldBeProblem(HttpStatusCode.NotFound, "ledger.checkpoint_not_found");
        await (await auditor.GetAsync("/api/ledger/checkpoints/5")).ShouldBeProblem(HttpStatusCode.NotFound, "ledger.checkpoint_not_found");
        (await Json(auditor, "/api/ledger/checkpoints")).GetProperty("checkpoints").GetArrayLength().ShouldBe(0);
        var entries = await Json(auditor, "/api/ledger/entries");
        (entries.GetProperty("head").GetInt64(), entries.GetProperty("entries").GetArrayLength()).ShouldBe((0L, 0));
        var verify = await Json(auditor, "/api/ledger/verify");
        (verify.GetProperty("status").GetString(), verify.GetProperty("verified_through").GetInt64()).ShouldBe(("verified", 0L));
    }

    [Fact]
    public async Task Entries_come_exactly_as_hashed_in_pages_of_bounded_size()
    {
        var tenant = await app.TenantWithCheckpointsAsync();
        var auditor = app.Auditor(tenant);

        var first = await Json(auditor, "/api/ledger/entries?from=1&limit=5");
        var second = await Json(auditor, $"/api/ledger/entries?from={first.GetProperty("next_from").GetInt64()}");
        (first.GetProperty("next_from").GetInt64(), second.GetProperty("next_from").ValueKind).ShouldBe((6L, JsonValueKind.Null));
        var previous = new byte[32];
        var position = 0L;
        foreach (var entry in first.GetProperty("entries").EnumerateArray().Concat(second.GetProperty("entries").EnumerateArray()))
        {
            entry.GetProperty("chain_seq").GetInt64().ShouldBe(++position);
            var entryHash = SHA256.HashData(Encoding.UTF8.GetBytes(entry.GetProperty("record").GetRawText()));
            Convert.ToHexStringLower(entryHash).ShouldBe(entry.GetProperty("entry_hash").GetString(), "the record's bytes are the hashed bytes");
            previous = SHA256.HashData([.. previous, .. entryHash]);
            Convert.ToHexStringLower(previous).ShouldBe(entry.GetProperty("chain_hash").GetString());
        }
        position.ShouldBe(10);

        await (await auditor.GetAsync("/api/ledger/entries?limit=6")).ShouldBeProblem(HttpStatusCode.BadRequest, "validation.out_of_range");
        await (await auditor.GetAsync("/api/ledger/entries?from=0")).ShouldBeProblem(HttpStatusCode.BadRequest, "validation.out_of_range");
        await (await auditor.GetAsync("/api/ledger/entries?from=x")).ShouldBeProblem(HttpStatusCode.BadRequest, "request.malformed");
    }

    [Fact]
    public async Task Verification_resumes_by_cursor_across_a_long_chain()
    {
        var tenant = TestDatabase.NewTenant("long");
        for (var round = 0; round < 3; round++)
        {
            await app.AppendAsync(tenant, 8);
            await app.CheckpointAsync(tenant);
        }
        await app.AppendAsync(tenant, 2);
        var auditor = app.Auditor(tenant);

        var pages = new List<JsonElement> { await Json(auditor, "/api/ledger/verify") };
        while (pages[^1].GetProperty("status").GetString() == "in_progress")
            pages.Add(await Json(auditor, "/api/ledger/verify?cursor=" + pages[^1].GetProperty("next_cursor").GetString()));

        var last = pages[^1];
        (last.GetProperty("status").GetString(), last.GetProperty("verified_through").GetInt64(), last.GetProperty("to").GetInt64())
            .ShouldBe(("verified", 27L, 27L));
        last.GetProperty("checkpoints_verified").GetInt32().ShouldBe(3);
        last.GetProperty("next_cursor").ValueKind.ShouldBe(JsonValueKind.Null);
        pages.Count.ShouldBe(7); // 27 entries, 4 per request
        pages.Select(p => p.GetProperty("verified_through").GetInt64()).ShouldBe([4, 8, 12, 16, 20, 24, 27]);

        await (await auditor.GetAsync("/api/ledger/verify?cursor=not-a-cursor")).ShouldBeProblem(HttpStatusCode.BadRequest, "validation.invalid_format");
        var range = await Json(auditor, "/api/ledger/verify?from=10&to=12");
        (range.GetProperty("status").GetString(), range.GetProperty("entries_checked").GetInt64()).ShouldBe(("verified", 3L));
    }

    [Fact]
    public async Task Checkpoints_are_served_latest_by_position_and_listed_with_their_JWS()
    {
        var tenant = await app.TenantWithCheckpointsAsync();
        var auditor = app.Auditor(tenant);
        var keys = LedgerKeySet.Parse(await app.Client().GetByteArrayAsync("/api/ledger/jwks"));

        var latest = await Json(auditor, "/api/ledger/checkpoints/latest");
        var at5 = await Json(auditor, "/api/ledger/checkpoints/5");
        var listed = await Json(auditor, "/api/ledger/checkpoints");

        (latest.GetProperty("chain_seq").GetInt64(), at5.GetProperty("chain_seq").GetInt64()).ShouldBe((10L, 5L));
        listed.GetProperty("checkpoints").EnumerateArray().Select(c => c.GetProperty("chain_seq").GetInt64()).ShouldBe([5L, 10L]);
        var anchor = SignedCheckpoint.ToAnchor(latest.GetProperty("jws").GetString()!, keys, tenant, 0);
        anchor.IsValid.ShouldBeTrue(anchor.Invalid);
        Convert.ToHexStringLower(anchor.ChainHash).ShouldBe(latest.GetProperty("chain_hash").GetString());
        await (await auditor.GetAsync("/api/ledger/checkpoints/6")).ShouldBeProblem(HttpStatusCode.NotFound, "ledger.checkpoint_not_found");
    }

    [Theory]
    [InlineData("zip")]
    [InlineData("tar")]
    [InlineData("tar.gz")]
    public async Task An_export_over_HTTP_verifies_offline_with_the_published_key_set(string format)
    {
        var tenant = await app.TenantWithCheckpointsAsync();
        var keys = LedgerKeySet.Parse(await app.Client().GetByteArrayAsync("/api/ledger/jwks"));

        using var response = await app.Auditor(tenant).GetAsync($"/api/ledger/export?format={format}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var archive = app.NewPath("export." + format);
        await File.WriteAllBytesAsync(archive, await response.Content.ReadAsByteArrayAsync());
        response.Content.Headers.ContentDisposition!.FileNameStar.ShouldBe($"ledger-{tenant}-1-10.{format}");

        using var folder = ExportArchive.Open(archive);
        var result = ExportVerifier.Verify(folder.Path, keys);
        result.Succeeded.ShouldBeTrue(string.Join("\n", result.Failures));
        (result.VerifiedThrough, result.CheckpointsReached).ShouldBe((10L, 2));

        await (await app.Auditor(tenant).GetAsync("/api/ledger/export?to=61")).ShouldBeProblem(HttpStatusCode.BadRequest, "validation.out_of_range");
        await (await app.Auditor(tenant).GetAsync("/api/ledger/export?format=rar")).ShouldBeProblem(HttpStatusCode.BadRequest, "validation.invalid_format");
    }

    [Fact]
    public async Task No_auditor_endpoint_can_change_anything()
    {
        var tenant = await app.TenantWithCheckpointsAsync();
        var auditor = app.Auditor(tenant);
        var before = await Counts();

        foreach (var path in ReadEndpoints.Append("/api/ledger/jwks"))
        {
            (await auditor.GetAsync(path)).StatusCode.ShouldBe(HttpStatusCode.OK, path);
            foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch })
            {
                using var request = new HttpRequestMessage(method, path) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
                using var response = await auditor.SendAsync(request);
                response.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed, $"{method} {path}");
            }
        }

        (await Counts()).ShouldBe(before);
    }

    private async Task<string> Counts()
    {
        await using var command = app.Db.AdminDataSource.CreateCommand("""
            SELECT (SELECT count(*) FROM ledger_chain) || '/' || (SELECT count(*) FROM checkpoints) || '/' ||
                   (SELECT count(*) FROM signing_keys) || '/' || (SELECT string_agg(tenant_id || ':' || chain_seq, ',' ORDER BY tenant_id) FROM ledger_chain_heads)
            """);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    internal static async Task<JsonElement> Json(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"{path}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
