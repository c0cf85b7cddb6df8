using System.Net;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Witnesses;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.Auditing;

/// <summary>The Host publishing every checkpoint to a witness directory (relative: under its data directory), looking every 50 ms.</summary>
public sealed class WitnessAppFixture : AuditorAppFixture
{
    public string WitnessDirectory => Path.Combine(DataDirectory, "witness");

    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        .. base.Settings(),
        new("Ledger:Witnesses:Directory", "witness"),
        new("Ledger:Witnesses:PollSeconds", "0.05"),
    ];
}

/// <summary>
/// Witnesses through the Host and the CLI: the Host hands every checkpoint it signs to the witness directory, serves
/// each as a signed note, and <c>ledger verify --witness</c> catches a chain rewritten after the witness got it — with
/// the checkpoint rows deleted, so that nothing left in the database can tell.
/// </summary>
public sealed class WitnessTests(WitnessAppFixture app) : IClassFixture<WitnessAppFixture>
{
    private async Task<string> WitnessedTenantAsync()
    {
        var tenant = await app.TenantWithCheckpointsAsync();
        var folder = Path.Combine(app.WitnessDirectory, tenant);
        await Eventually.Until(() => Task.FromResult(Directory.Exists(folder) ? Directory.GetFiles(folder).Length : 0), n => n == 4,
            TimeSpan.FromSeconds(60), "the witness directory to hold 5.jws, 5.note, 10.jws and 10.note");
        return tenant;
    }

    [Fact]
    public async Task The_Host_hands_each_checkpoint_to_the_witness_directory_and_serves_it_as_the_same_signed_note()
    {
        var tenant = await WitnessedTenantAsync();
        var keys = await app.Service<SigningKeyHistory>().ReadAsync();
        foreach (var position in new[] { 5, 10 })
        {
            var stored = (await app.Service<CheckpointStore>().AtAsync(tenant, position))!;
            (await File.ReadAllTextAsync(Path.Combine(app.WitnessDirectory, tenant, $"{position}.jws"))).ShouldBe(stored.Jws + "\n");

            var response = await app.Auditor(tenant).GetAsync($"/api/ledger/checkpoints/{position}/note");
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
            var note = await response.Content.ReadAsStringAsync();
            note.ShouldBe(await File.ReadAllTextAsync(Path.Combine(app.WitnessDirectory, tenant, $"{position}.note")));
            var verified = CheckpointNote.Verify(note, keys, "ledger.local", tenant);
            verified.Error.ShouldBeNull();
            verified.Note!.Body.TreeRoot.ShouldBe(stored.Checkpoint.TreeRoot);
        }
        (await app.Auditor(tenant).GetAsync("/api/ledger/checkpoints/7/note")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.Auditor("another-tenant").GetAsync("/api/ledger/checkpoints/5/note")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.Client().GetAsync("/api/ledger/checkpoints/5/note")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Ledger_verify_with_the_witness_reports_a_rewritten_chain_at_the_witnessed_position_the_database_no_longer_has()
    {
        var tenant = await WitnessedTenantAsync();
        var clean = await app.LedgerAsync("verify", "--tenant", tenant, "--witness", app.WitnessDirectory);
        clean.ExitCode.ShouldBe(0, clean.Stdout + clean.Stderr);
        clean.Stdout.ShouldContain($"witness {app.WitnessDirectory}: 2 checkpoints and 2 notes held for tenant {tenant}, 0 disagreeing");

        // The forger rewrites from position 7 and deletes every checkpoint row: the database alone vouches for itself.
        await app.RewriteFromAsync(tenant, 7);
        await app.TamperAsync("DELETE FROM checkpoints WHERE tenant_id = $1", tenant);
        var trusting = await app.LedgerAsync("verify", "--tenant", tenant);
        trusting.ExitCode.ShouldBe(0, trusting.Stdout + trusting.Stderr);

        var witnessed = await app.LedgerAsync("verify", "--tenant", tenant, "--witness", app.WitnessDirectory);
        witnessed.ExitCode.ShouldBe(1, witnessed.Stdout + witnessed.Stderr);
        witnessed.Stdout.ShouldContain($"FAIL witness {app.WitnessDirectory} checkpoint_mismatch at 10 file 10.jws: the witnessed checkpoint has chain hash");
        witnessed.Stdout.ShouldContain($"FAIL witness {app.WitnessDirectory} checkpoint_mismatch at 10 file 10.note:");
        witnessed.Stdout.ShouldNotContain(" at 5 ");
        witnessed.Stdout.ShouldContain("FAIL checkpoint_mismatch at 10:", customMessage: "the walk, given the witnessed checkpoints, fails there too");

        (await app.LedgerAsync("verify", "--tenant", tenant, "--witness", "http://127.0.0.1:1/witness")).ExitCode.ShouldBe(2);
        (await app.LedgerAsync("verify", "--tenant", tenant, "--witness", app.NewPath("missing"))).ExitCode.ShouldBe(2);
    }
}
