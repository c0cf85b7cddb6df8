using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ledger.Host.Configuration;
using Ledger.Host.Messaging;
using Ledger.Host.Messaging.Inbound;

namespace Ledger.Host.Cli;

/// <summary>
/// <c>ledger dlq list|show &lt;id&gt;|replay [--all|&lt;id&gt;]|purge --yes</c>: the consumers' dead letters, in Wolverine's
/// storage (<c>wolverine_dead_letters</c>, in the database: <c>ConnectionStrings:Ledger</c>). Replaying hands a message
/// back to its consumer as a first attempt (a running Host picks it up within seconds); one whose effect already
/// happened changes nothing (the inbox knows its id).
/// </summary>
internal static class DlqCommand
{
    public static Command Create()
    {
        var command = new Command("dlq", "Inspect, replay or purge the inbound consumers' dead letters (in the database, ConnectionStrings:Ledger).");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Replay());
        command.Subcommands.Add(Purge());
        return command;
    }

    private static Option<string?> ConsumerOption() => new("--consumer") { Description = "Only this consumer's dead letters (default: every consumer's)." };

    private static Command List()
    {
        var consumer = ConsumerOption();
        var limit = new Option<int>("--limit") { Description = "At most this many messages.", DefaultValueFactory = _ => 100 };
        var command = new Command("list", "List dead letters: consumer, message id, type, attempts, failed at, reason.") { consumer, limit };
        command.SetAction((parse, ct) => Run(parse, async (queues, output) =>
        {
            var letters = await queues.ListAsync(parse.GetValue(consumer), Math.Max(1, parse.GetValue(limit)), ct);
            if (letters.Count == 0)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("no dead letters");
                return 0;
            }
            await output.WriteLineAsync("CONSUMER\tMESSAGE_ID\tTYPE\tATTEMPTS\tFAILED_AT\tREASON");
            foreach (var l in letters)
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{l.Consumer}\t{l.MessageId}\t{l.MessageType}\t{l.Attempts}\t{l.FailedAt:O}\t{Reason(l)}"));
            return 0;
        }));
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<string>("id") { Description = "The message id (the event id)." };
        var consumer = ConsumerOption();
        var command = new Command("show", "Show one dead letter: why it failed, its headers and its body.") { id, consumer };
        command.SetAction((parse, ct) => Run(parse, async (queues, output) =>
        {
            if (await queues.FindAsync(parse.GetRequiredValue(id), parse.GetValue(consumer), ct) is not { } l)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"no dead letter with id {parse.GetRequiredValue(id)}");
                return 1;
            }
            await output.WriteLineAsync($"consumer:       {l.Consumer}");
            await output.WriteLineAsync($"message id:     {l.MessageId}");
            await output.WriteLineAsync($"type:           {l.MessageType}");
            await output.WriteLineAsync($"error type:     {l.ErrorType}");
            await output.WriteLineAsync($"error code:     {l.ErrorCode}");
            await output.WriteLineAsync($"error message:  {l.ErrorMessage}");
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"attempts:       {l.Attempts}"));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"failed at:      {l.FailedAt:O}"));
            await output.WriteLineAsync($"original queue: {l.OriginalQueue}");
            await output.WriteLineAsync("body:");
            await output.WriteLineAsync(Pretty(l.Body));
            return 0;
        }));
        return command;
    }

    private static Command Replay()
    {
        var id = new Argument<string?>("id") { Description = "The message id to replay.", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Replay every dead letter (of --consumer, or of every consumer)." };
        var consumer = ConsumerOption();
        var command = new Command("replay", "Send dead letters back to their consumer, as a first attempt.") { id, all, consumer };
        command.SetAction((parse, ct) => Run(parse, async (queues, output) =>
        {
            var messageId = parse.GetValue(id);
            if ((messageId is null) == !parse.GetValue(all))
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("dlq replay: give either a message id or --all");
                return 2;
            }
            var replayed = await queues.ReplayAsync(messageId, parse.GetValue(consumer), ct);
            foreach (var l in replayed) await output.WriteLineAsync($"replayed {l.MessageId} to {l.Consumer}");
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{replayed.Count} message(s) replayed"));
            return messageId is not null && replayed.Count == 0 ? 1 : 0;
        }));
        return command;
    }

    private static Command Purge()
    {
        var consumer = ConsumerOption();
        var yes = new Option<bool>("--yes") { Description = "Confirm: the dead letters are deleted for good." };
        var command = new Command("purge", "Delete every dead letter (of --consumer, or of every consumer).") { consumer, yes };
        command.SetAction((parse, ct) => Run(parse, async (queues, output) =>
        {
            if (!parse.GetValue(yes))
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("dlq purge deletes messages for good: add --yes to confirm");
                return 2;
            }
            foreach (var (name, count) in await queues.PurgeAsync(parse.GetValue(consumer), ct))
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"purged {count} message(s) from {name}"));
            return 0;
        }));
        return command;
    }

    private static async Task<int> Run(ParseResult parse, Func<InboundDeadLetters, TextWriter, Task<int>> action)
    {
        var configuration = LedgerConfiguration.ForCli(LedgerConfiguration.CliEnvironmentName());
        var (host, deadLetters) = InboundDeadLetters.Open(configuration);
        using (host)
        {
            try
            {
                return await action(deadLetters, parse.InvocationConfiguration.Output);
            }
            catch (ArgumentException e)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync(e.Message);
                return 2;
            }
        }
    }

    private static string Reason(DeadLetter l) => $"{l.ErrorCode ?? l.ErrorType}: {l.ErrorMessage}".ReplaceLineEndings(" ");

    private static string Pretty(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return JsonSerializer.Serialize(json.RootElement, PrettyJson);
        }
        catch (JsonException)
        {
            return body; // not JSON: that may be why it is here
        }
    }

    private static readonly JsonSerializerOptions PrettyJson = new() { WriteIndented = true };
}
