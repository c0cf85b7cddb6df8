using System.CommandLine;
using Ledger.Projections.OnMarten;
using Ledger.Projections.Model;

namespace Ledger.Host.Cli;

/// <summary>
/// <c>ledger projections skip &lt;name&gt; --event &lt;id&gt; [--reason …] [--by …]</c>: lets a projection stopped on a
/// failing event go on past that one event. Refused unless it is stopped on exactly that event. The skip is recorded
/// (who, when, why, and the error) and every later generation honours it.
/// </summary>
internal static class ProjectionsSkipCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The stopped projection." };
        var eventId = new Option<Guid>("--event") { Description = "The id of the event it stopped on (see ledger projections status).", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why the event may be passed over (recorded).", DefaultValueFactory = _ => "no reason given" };
        var by = new Option<string>("--by") { Description = "Who decides (recorded); default: the OS user on this host.", DefaultValueFactory = _ => $"{Environment.UserName}@{Environment.MachineName}" };
        var command = new Command("skip", "Skip the one event a projection stopped on, and record the decision.") { name, eventId, reason, by };
        command.SetAction(async (parse, ct) =>
        {
            var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            if (ProjectionsCli.Find(parse.GetRequiredValue(name), error) is not { } projection) return 2;
            var skipped = parse.GetRequiredValue(eventId);
            await using var cli = ProjectionsCli.Open();
            try
            {
                var resumed = await ProjectionSkips.SkipAsync(cli.Admin, projection.Name, skipped,
                    parse.GetValue(by) ?? "unknown", parse.GetValue(reason) ?? "no reason given", ct);
                await output.WriteLineAsync($"{projection.Name}: event {skipped} skipped; {resumed} generation(s) resume past it");
                return 0;
            }
            catch (ProjectionSkipRefusedException e)
            {
                await error.WriteLineAsync(e.Message);
                return 1;
            }
        });
        return command;
    }
}
