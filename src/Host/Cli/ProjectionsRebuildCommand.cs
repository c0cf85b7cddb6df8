using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Ledger.Projections.OnMarten;
using Ledger.Projections.Model;
using Ledger.Application.Json;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ledger.Host.Cli;

/// <summary>
/// <c>ledger projections rebuild &lt;name&gt; [--restart]</c>: builds the next generation of a read model from the first
/// event, beside the live one (which keeps serving), then swaps it in and drops the old one. Interrupted (Ctrl+C, a
/// crash), the live model is untouched; running it again resumes where it stopped, or starts over with --restart.
/// Progress goes to standard error, the outcome to standard output.
/// </summary>
internal static class ProjectionsRebuildCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The projection to rebuild (see ledger projections status)." };
        var restart = new Option<bool>("--restart") { Description = "Drop an interrupted rebuild's generation and start again from the first event." };
        var command = new Command("rebuild", "Rebuild a read model blue/green while the live one keeps serving.") { name, restart };
        command.SetAction(async (parse, ct) =>
        {
            var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            if (ProjectionsCli.Find(parse.GetRequiredValue(name), error) is not { } projection) return 2;
            await using var cli = ProjectionsCli.Open();
            var options = cli.Options;
            options.BatchSize = Math.Max(options.BatchSize, 1000); // nobody waits on a rebuild's pages: larger ones go faster
            var rebuild = new ProjectionRebuild(projection, cli.App, cli.Admin, cli.Shapes, LedgerJson.Options, options, cli.AppRole, NullLogger.Instance);
            try
            {
                var result = await rebuild.RunAsync(parse.GetValue(restart), new ProgressBar(error), ct);
                await error.WriteLineAsync();
                if (result.Failure is { } failed)
                {
                    await output.WriteLineAsync(
                        $"{projection.Name}: rebuild of generation {result.Generation} stopped on event {failed.FailingEventId}: {result.LastError}\n" +
                        $"  the live generation is untouched; skip the event (ledger projections skip {projection.Name} --event {failed.FailingEventId}) and run rebuild again");
                    return 1;
                }
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{projection.Name}: generation {result.Generation} is live (generation {result.Replaced} dropped), at position {result.Position}"));
                return 0;
            }
            catch (RebuildAlreadyRunningException e)
            {
                await error.WriteLineAsync(e.Message);
                return 1;
            }
        });
        return command;
    }

    /// <summary>A one-line text progress bar, redrawn at most a few times a second.</summary>
    private sealed class ProgressBar(TextWriter error) : IProgress<RebuildProgress>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _drawn = TimeSpan.FromSeconds(-1);
        private long _firstPosition = -1;

        public void Report(RebuildProgress value)
        {
            if (_firstPosition < 0) _firstPosition = value.Position;
            if (_clock.Elapsed - _drawn < TimeSpan.FromMilliseconds(250) && value.Position < value.Total) return;
            _drawn = _clock.Elapsed;
            var share = value.Total == 0 ? 1 : (double)value.Position / value.Total;
            var filled = (int)Math.Round(share * 30);
            var rate = (value.Position - _firstPosition) / Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
            error.Write(string.Create(CultureInfo.InvariantCulture,
                $"\rgeneration {value.Generation} [{new string('#', filled)}{new string('.', 30 - filled)}] {share * 100,3:F0}% position {value.Position}/{value.Total}, {rate:F0} events/s   "));
        }
    }
}
