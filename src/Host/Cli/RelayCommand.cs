using System.CommandLine;
using System.Globalization;
using Ledger.Host.Configuration;
using Ledger.Host.Messaging;
using Ledger.Messaging.Relay;

namespace Ledger.Host.Cli;

/// <summary><c>ledger relay status</c>: the outbox relay's position, the backlog behind it, whether a process runs it, the broker.</summary>
internal static class RelayCommand
{
    public static Command Create()
    {
        var command = new Command("relay", "The outbox relay that publishes integration events to RabbitMQ.");
        var status = new Command("status", "Position, backlog (events not yet passed), whether a Host is relaying, and the broker's state.");
        status.SetAction(async (parse, ct) =>
        {
            var configuration = LedgerConfiguration.ForCli(LedgerConfiguration.CliEnvironmentName());
            var settings = MessagingConfiguration.Settings(configuration);
            var output = parse.InvocationConfiguration.Output;
            await using var dataSources = LedgerDataSources.Create(configuration);
            var uri = MessagingConfiguration.BrokerUri(configuration);
            await using var broker = new Ledger.Messaging.Broker.BrokerConnection(uri ?? new Uri("amqp://unconfigured/"), settings,
                Microsoft.Extensions.Logging.Abstractions.NullLogger<Ledger.Messaging.Broker.BrokerConnection>.Instance);
            var report = await RelayInspection.InspectAsync(dataSources.App, dataSources.Schema, settings.Relay.Name, broker, ct);

            await output.WriteLineAsync($"relay:    {report.Relay} (exchange {settings.Exchange})");
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"position: {report.Position}{(report.CheckpointUpdatedAt is { } at ? $" (moved {at:O})" : " (never ran)")}"));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"backlog:  {report.Backlog} event(s)"));
            await output.WriteLineAsync($"running:  {(report.Running ? "yes, a process holds the relay lease" : "no process is relaying")}");
            await output.WriteLineAsync(uri is null
                ? $"broker:   not configured (ConnectionStrings:{MessagingConfiguration.ConnectionName})"
                : $"broker:   {(report.Broker.Connected ? "reachable" : $"unreachable: {report.Broker.LastError}")} ({uri.Host}:{uri.Port}{uri.AbsolutePath})");
            return 0;
        });
        command.Subcommands.Add(status);
        return command;
    }
}
