using System.CommandLine;
using Ledger.Projections.OnMarten;

namespace Ledger.Host.Cli;

/// <summary>
/// <c>ledger projections retry &lt;name&gt;</c>: tries a projection stopped on a failing event again, on that same
/// event, once the cause is put right (the alternative to skipping an event that was never wrong).
/// </summary>
internal static class ProjectionsRetryCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The stopped projection." };
        var command = new Command("retry", "Try a stopped projection again on the event it stopped on, skipping nothing.") { name };
        command.SetAction(async (parse, ct) =>
        {
            var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            if (ProjectionsCli.Find(parse.GetRequiredValue(name), error) is not { } projection) return 2;
            await using var cli = ProjectionsCli.Open();
            try
            {
                var resumed = await ProjectionRetries.RetryAsync(cli.Admin, projection.Name, ct);
                await output.WriteLineAsync($"{projection.Name}: {resumed} generation(s) will try the event again");
                return 0;
            }
            catch (ProjectionNotStoppedException e)
            {
                await error.WriteLineAsync(e.Message);
                return 1;
            }
        });
        return command;
    }
}
