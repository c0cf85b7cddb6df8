using System.Net;
using System.Text.Json;
using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;

namespace Ledger.EndToEnd.Tests.Auditing;

/// <summary>
/// A forger with the superuser's powers rewrites a chain and replaces the key history with a key of their own, then
/// re-signs every checkpoint: the database is consistent again, so everything that trusts it says verified. Only the
/// auditor's own copy of the key set, given to <c>ledger verify --jwks</c> as a file or a URL, tells. Its own fixture:
/// the key history is the whole database's.
/// </summary>
public sealed class LedgerVerifyTrustTests(AuditorAppFixture app) : IClassFixture<AuditorAppFixture>
{
    private const string JwksUrl = "http://127.0.0.1:5102/keys/";

    [Fact]
    public async Task Only_the_auditors_own_key_set_catches_a_key_history_replaced_by_a_forger()
    {
        var tenant = await app.TenantWithCheckpointsAsync();
        var kept = await app.Client().GetByteArrayAsync("/api/ledger/jwks");
        var jwks = app.NewPath("keys.json");
        await File.WriteAllBytesAsync(jwks, kept);
        await ForgeAsync(tenant);

        var (_, trusting, _) = await app.LedgerAsync("verify", "--tenant", tenant);
        trusting.ShouldContain("OK verified 1..10", customMessage: "the database vouches for itself");

        var fromFile = await app.LedgerAsync("verify", "--tenant", tenant, "--jwks", jwks);
        fromFile.ExitCode.ShouldBe(1, fromFile.Stdout + fromFile.Stderr);
        fromFile.Stdout.ShouldContain("keys: the key set given with --jwks");
        fromFile.Stdout.ShouldContain("FAIL bad_signature at 5:");

        using var served = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var server = ServeAsync(kept, served.Token);
        var fromUrl = await app.LedgerAsync("verify", "--tenant", tenant, "--jwks", JwksUrl);
        await served.CancelAsync();
        await server;
        fromUrl.ExitCode.ShouldBe(1, fromUrl.Stdout + fromUrl.Stderr);
        fromUrl.Stdout.ShouldContain("FAIL bad_signature at 5:");

        (await app.LedgerAsync("verify", "--tenant", tenant, "--jwks", app.NewPath("missing.json"))).ExitCode.ShouldBe(2);
    }

    private async Task ForgeAsync(string tenant)
    {
        var real = (await app.Service<SigningKeyHistory>().ActiveKidAsync())!;
        using var forged = CheckpointKey.Generate();
        await app.RewriteFromAsync(tenant, 3);
        await app.TamperAsync("UPDATE signing_keys SET kid = $1, public_jwk = $2::jsonb WHERE kid = $3", forged.Kid,
            JsonSerializer.Serialize(new { kty = "EC", crv = "P-256", x = forged.X, y = forged.Y }), real);
        var reader = new ChainEntryReader(app.Db.AdminDataSource);
        var trees = new EventStore.Merkle.LedgerTreeReader(app.Db.AdminDataSource);
        foreach (var position in new long[] { 5, 10 })
        {
            // The forger's re-signed checkpoints agree with the rewritten chain: its chain hash and its Merkle tree.
            var stored = (await app.Service<CheckpointStore>().AtAsync(tenant, position))!.Checkpoint;
            var resigned = SignedCheckpoint.Sign(stored with
            {
                ChainHash = (await reader.ChainHashAtAsync(tenant, position))!,
                TreeRoot = await trees.RootAsync(tenant, position),
            }, forged);
            await app.TamperAsync("UPDATE checkpoints SET jws = $3, kid = $4, chain_hash = $5, tree_root = $6 WHERE tenant_id = $1 AND chain_seq = $2",
                tenant, position, resigned.Jws, forged.Kid, resigned.Checkpoint.ChainHash, resigned.Checkpoint.TreeRoot!);
        }
    }

    // The auditor's own copy of the key set, served as any web server would (the CLI runs in its own process).
    private static async Task ServeAsync(byte[] jwks, CancellationToken ct)
    {
        using var listener = new HttpListener();
        listener.Prefixes.Add(JwksUrl);
        listener.Start();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var context = await listener.GetContextAsync().WaitAsync(ct);
                context.Response.ContentType = "application/jwk-set+json";
                await context.Response.OutputStream.WriteAsync(jwks, ct);
                context.Response.Close();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}
