using System.CommandLine;
using System.Globalization;
using Ledger.Host.Configuration;
using Ledger.Host.Messaging;
using Ledger.Messaging.Outbox;

namespace Ledger.Host.Cli;

/// <summary>
/// <c>ledger outbox status</c>: where the publishing shard stands on Marten's daemon, the events not yet passed, the
/// messages waiting in Wolverine's outbox for the broker's confirm, and whether the broker answers. (It replaces
/// <c>ledger relay status</c>: the hand-written relay is gone.)
/// </summary>
internal static class OutboxCommand
{
    public static Command Create()
    {
        var command = new Command("outbox", "The event store as outbox: integration events published to RabbitMQ through Wolverine.");
        var status = new Command("status", "The publishing shard's position, its lag behind the store (the backlog), and the broker's state.");
        status.SetAction(async (parse, ct) =>
        {
            var configuration = LedgerConfiguration.ForCli(LedgerConfiguration.CliEnvironmentName());
            var settings = MessagingConfiguration.Settings(configuration);
            var output = parse.InvocationConfiguration.Output;
            await using var dataSources = LedgerDataSources.Create(configuration);
            var state = await OutboxInspection.ReadAsync(dataSources.App, ct);
            var uri = MessagingConfiguration.BrokerUri(configuration);

            await output.WriteLineAsync($"shard:    {OutboxSubscription.ShardName} (exchange {settings.Exchange})");
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"position: {state.Position} of {state.HighWater}{(state.PositionUpdatedAt is { } at ? $" (moved {at:O})" : " (never ran)")}"));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"lag:      {state.Lag} event(s) not yet passed (published and confirmed)"));
            await output.WriteLineAsync(uri is null
                ? $"broker:   not configured (ConnectionStrings:{MessagingConfiguration.ConnectionName})"
                : $"broker:   {await ProbeAsync(uri, ct)} ({uri.Host}:{uri.Port}{uri.AbsolutePath})");
            return 0;
        });
        command.Subcommands.Add(status);
        return command;
    }

    private static async Task<string> ProbeAsync(Uri uri, CancellationToken ct) =>
        await BrokerProbe.FailureAsync(uri, "ledger-cli", ct) is { } failure ? "unreachable: " + failure : "reachable";
}
