using System.Net;
using System.Text.Json;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;
using static Ledger.EndToEnd.Tests.Privacy.PrivacyApi;

namespace Ledger.EndToEnd.Tests.Privacy;

/// <summary>
/// The master key's rotation as an operator runs it (docs/privacy.md): a new key, every subject key re-wrapped under it
/// while the old one is still configured as retired, and then the old one no longer needed. A host still holding only
/// the old key reads the data as <c>unavailable</c> — never as something else — until it is given the new one.
/// </summary>
public sealed class MasterKeyRotationTests(PrivacyAppFixture app) : IClassFixture<PrivacyAppFixture>
{
    [Fact]
    public async Task Rewrapping_under_a_new_master_key_keeps_every_subject_key_and_touches_no_event()
    {
        var tenant = TestDatabase.NewTenant("rotate");
        var clerk = app.Client(app.Tokens.For(tenant, LedgerRoles.Clerk));
        var order = await CreateOrderAsync(clerk, "cust-rotate", "Ilse Marchetti-Brandt");
        var eventsBefore = await EventsTextAsync(tenant);
        var oldKey = Path.Combine(app.DataDirectory, "keys", "privacy-master-key");
        var newKey = app.NewPath("master-2");

        var created = await app.LedgerAsync("privacy", "new-master-key", "--out", newKey);
        created.ExitCode.ShouldBe(0, created.Stderr);
        if (!OperatingSystem.IsWindows())
            (File.GetUnixFileMode(newKey) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)).ShouldBe(UnixFileMode.None);
        (await app.LedgerAsync("privacy", "new-master-key", "--out", newKey)).ExitCode.ShouldBe(1, "a key file is never replaced");

        var rotated = new Dictionary<string, string>
        {
            ["Ledger__Privacy__MasterKeyFile"] = newKey,
            ["Ledger__Privacy__RetiredMasterKeyFiles__0"] = oldKey,
        };
        var rewrapped = await app.LedgerAsync(rotated, "privacy", "rewrap");
        rewrapped.ExitCode.ShouldBe(0, rewrapped.Stderr);
        rewrapped.Stdout.ShouldContain("re-wrapped 1 subject keys");
        var status = await app.LedgerAsync(new Dictionary<string, string> { ["Ledger__Privacy__MasterKeyFile"] = newKey }, "privacy", "status");
        status.ExitCode.ShouldBe(0, status.Stderr);
        using (var counts = JsonDocument.Parse(status.Stdout))
        {
            var live = counts.RootElement.GetProperty("live_keys_by_master_kid");
            live.EnumerateObject().Select(p => (p.Name, p.Value.GetInt64())).ShouldBe([(counts.RootElement.GetProperty("current_master_kid").GetString()!, 1L)]);
            counts.RootElement.GetProperty("unwrappable").GetArrayLength().ShouldBe(0);
        }
        (await EventsTextAsync(tenant)).ShouldBe(eventsBefore, "rotation never touches an event");

        // This test's Host still has only the old key: the data is unavailable to it, and a new order for the customer
        // is refused as the operator's problem (503), not sealed under some other key.
        var personal = (await PersonalDataAsync(clerk, order));
        personal.GetProperty("status").GetString().ShouldBe("unavailable");
        using (var refused = await PostOrderAsync(clerk, "cust-rotate", "Ilse Marchetti-Brandt"))
            await refused.ShouldBeProblem(HttpStatusCode.ServiceUnavailable, "privacy.master_key_missing");

        // Rotated back (the old key current, the new one retired): the Host reads the data again.
        var back = new Dictionary<string, string>
        {
            ["Ledger__Privacy__MasterKeyFile"] = oldKey,
            ["Ledger__Privacy__RetiredMasterKeyFiles__0"] = newKey,
        };
        (await app.LedgerAsync(back, "privacy", "rewrap")).Stdout.ShouldContain("re-wrapped 1 subject keys");
        (await PersonalDataAsync(clerk, order)).GetProperty("fields").GetProperty("name").GetString()
            .ShouldBe("Ilse Marchetti-Brandt");
    }

    private async Task<string> EventsTextAsync(string tenant)
    {
        await using var command = app.Db.AdminDataSource.CreateCommand(
            $"SELECT string_agg(seq_id::text || data::text, '|' ORDER BY seq_id) FROM mt_events WHERE tenant_id = '{tenant}'");
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
