using System.Diagnostics;
using Ledger.EventStore.Checkpoints;
using Ledger.Host.Auditing;
using Ledger.TestSupport;
using Microsoft.Extensions.Options;

namespace Ledger.EndToEnd.Tests.Auditing;

/// <summary>
/// With the shipped <c>Ledger:Checkpoints</c> defaults, an auditor waits well under a minute for a checkpoint that covers
/// a new entry: at most <c>EverySeconds</c> + <c>PollSeconds</c>, however few entries are appended.
/// </summary>
public sealed class CheckpointDefaultsTests(DefaultCheckpointSettingsAppFixture app) : IClassFixture<DefaultCheckpointSettingsAppFixture>
{
    [Fact]
    public async Task Under_the_default_settings_a_few_new_entries_are_signed_within_a_minute()
    {
        var settings = app.Service<IOptions<CheckpointOptions>>().Value;
        (settings.Enabled, settings.EveryEntries, settings.EverySeconds, settings.PollSeconds).ShouldBe((true, 1000L, 30.0, 5.0));
        var promised = TimeSpan.FromSeconds(settings.EverySeconds + settings.PollSeconds);
        promised.ShouldBeLessThanOrEqualTo(TimeSpan.FromMinutes(1));

        var tenant = TestDatabase.NewTenant("quiet");
        var clock = Stopwatch.StartNew();
        await app.AppendAsync(tenant, 2);

        var checkpoint = await Eventually.Until(() => app.Service<CheckpointStore>().LatestAsync(tenant), c => c is not null,
            timeout: TimeSpan.FromMinutes(1), what: "a checkpoint covering the new entries");

        checkpoint!.Checkpoint.ChainSeq.ShouldBe(3, "the two entries and the key's rotation entry");
        clock.Elapsed.ShouldBeLessThan(promised + TimeSpan.FromSeconds(3));
    }
}
