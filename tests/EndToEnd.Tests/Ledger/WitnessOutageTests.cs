using System.Net;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.Auditing;

/// <summary>A Host whose witness directory is unusable until the test says so, retrying it every 50 to 200 ms.</summary>
public sealed class DownWitnessAppFixture : AuditorAppFixture
{
    public string WitnessDirectory => Path.Combine(DataDirectory, "witness-down");

    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        .. base.Settings(),
        new("Ledger:Witnesses:Directory", "witness-down"),
        new("Ledger:Witnesses:PollSeconds", "0.05"),
        new("Ledger:Witnesses:MaxRetrySeconds", "0.2"),
        new("Ledger:Witnesses:DegradedAfterSeconds", "0"),
    ];
}

/// <summary>
/// The Host's witness loop, counted: checkpoints signed while the witness directory cannot be written all reach it once
/// it can, and meanwhile the signer and the other witness (the notes) carry on.
/// </summary>
public sealed class WitnessOutageTests(DownWitnessAppFixture app) : IClassFixture<DownWitnessAppFixture>
{
    [Fact]
    public async Task Checkpoints_signed_while_the_witness_is_down_all_reach_it_once_it_is_back()
    {
        // A regular file where the witness's folder should be: every write fails, as with a share gone read-only.
        Directory.CreateDirectory(app.DataDirectory);
        await File.WriteAllTextAsync(app.WitnessDirectory, "down");
        var tenants = new[] { await app.TenantWithCheckpointsAsync(), await app.TenantWithCheckpointsAsync(), await app.TenantWithCheckpointsAsync() };

        // The notes are made all the same: the witness that is up is not held up by the one that is down.
        foreach (var tenant in tenants)
            await Eventually.Until(async () => (await app.Auditor(tenant).GetAsync("/api/ledger/checkpoints/10/note")).StatusCode,
                s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "the note of the checkpoint at 10");
        File.Exists(app.WitnessDirectory).ShouldBeTrue("nothing could be written to the witness meanwhile");
        await Eventually.Until(() => app.Client().GetStringAsync("/health/ready"), r => r == "Degraded", TimeSpan.FromSeconds(60), "readiness to say a witness is failing");
        // Eventually: the metrics endpoint may answer from a scrape taken a moment before readiness turned.
        var operatorClient = app.Client(app.Tokens.For(tenants[0], Host.Auth.LedgerRoles.Operator));
        await Eventually.Until(() => operatorClient.GetStringAsync("/metrics"),
            m => System.Text.RegularExpressions.Regex.IsMatch(m, @"ledger_checkpoint_witnesses_failing(\{[^}]*\})? 1\n"),
            TimeSpan.FromSeconds(30), "the gauge to say a witness is failing");

        File.Delete(app.WitnessDirectory);
        foreach (var tenant in tenants)
        {
            var folder = Path.Combine(app.WitnessDirectory, tenant);
            // Only what is in place: a file being written is a temporary one beside it until it is complete.
            var files = await Eventually.Until(() => Task.FromResult(Directory.Exists(folder)
                    ? Directory.GetFiles(folder).Select(f => Path.GetFileName(f)!).Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal)).Order().ToList()
                    : []),
                f => f.Count == 4, TimeSpan.FromSeconds(60), $"the witness to hold {tenant}'s two checkpoints and notes");
            files.ShouldBe(["10.jws", "10.note", "5.jws", "5.note"]);
        }
        await Eventually.Until(() => app.Client().GetStringAsync("/health/ready"), r => r == "Healthy", TimeSpan.FromSeconds(60), "readiness once the witness is back");
    }
}
