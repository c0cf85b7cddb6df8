using System.CommandLine;
using System.Globalization;
using Ledger.EventStore.Chain;
using Ledger.Host.Configuration;

namespace Ledger.Host.Cli;

/// <summary><c>ledger verify --tenant acme</c>: walks a tenant's hash chain; exits 1 at the first broken entry.</summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var tenant = new Option<string>("--tenant") { Description = "The tenant whose chain to verify.", Required = true };
        var from = new Option<long>("--from") { Description = "First chain position.", DefaultValueFactory = _ => 1 };
        var to = new Option<long?>("--to") { Description = "Last chain position (default: the head)." };

        var command = new Command("verify", "Verify a tenant's hash chain.") { tenant, from, to };
        command.SetAction(async (parse, ct) =>
        {
            var configuration = LedgerConfiguration.ForCli(LedgerConfiguration.CliEnvironmentName());
            await using var dataSources = LedgerDataSources.Create(configuration);
            var result = await new ChainVerifier(dataSources.App)
                .VerifyAsync(parse.GetRequiredValue(tenant), parse.GetValue(from), parse.GetValue(to), ct);
            var output = parse.InvocationConfiguration.Output;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"tenant {result.TenantId}: {result.EntriesChecked} entries checked, verified {result.From}..{result.VerifiedThrough}, head hash {Convert.ToHexStringLower(result.LastChainHash)}"));
            if (result.Failure is not { } failure) return 0;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"FAILED at chain position {failure.Position}: {failure.Reason} ({failure.Detail})"));
            return 1;
        });
        return command;
    }
}
