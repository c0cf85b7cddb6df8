using Ledger.EndToEnd.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace Ledger.EndToEnd.Tests.Invoicing;

/// <summary>Stamping settings are checked at start: an impossible value, or a setting of the removed table queue, stops the host and is named.</summary>
public sealed class StampingSettingsTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    private Task<Exception> StartWith(string key, string value) =>
        Should.ThrowAsync<Exception>(() => app.HostWith(h => h.ConfigureAppConfiguration((_, c) => c.AddInMemoryCollection(
            new Dictionary<string, string?> { [key] = value }))));

    [Theory]
    [InlineData("Ledger:Invoicing:StampingWorker", "false")]
    [InlineData("Ledger:Invoicing:Stamping:Lease", "00:00:03")]
    [InlineData("Ledger:Invoicing:Stamping:PollInterval", "00:00:00.250")]
    public async Task A_setting_of_the_removed_table_queue_stops_start_up_and_names_it(string key, string value) =>
        (await StartWith(key, value)).ToString().ShouldContain($"{key} is no longer a setting");

    [Fact]
    public async Task A_reserve_as_long_as_the_deadline_stops_start_up_and_names_both()
    {
        var error = (await StartWith("Ledger:Invoicing:Stamping:ContingencyReserve", "00:00:03")).ToString();
        error.ShouldContain("Ledger:Invoicing:Stamping: Deadline and ContingencyReserve");
    }
}
