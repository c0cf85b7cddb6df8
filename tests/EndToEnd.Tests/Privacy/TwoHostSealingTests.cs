using System.Net.Http.Headers;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;
using static Ledger.EndToEnd.Tests.Privacy.PrivacyApi;

namespace Ledger.EndToEnd.Tests.Privacy;

/// <summary>
/// Sealing without a round trip across two Hosts (docs/privacy.md, "Sealing on the append path"): a Host that takes a
/// customer it has not met for new, or seals under a key erased on the other Host, loses the commit, decides the order
/// again reading the key from the table, and answers 201 — the data sealed under the customer's live key.
/// </summary>
public sealed class TwoHostSealingTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    [Fact]
    public async Task A_customer_met_on_the_other_host_then_erased_there_is_sealed_under_their_live_key_here()
    {
        var tenant = TestDatabase.NewTenant("twohost");
        await using var other = await app.HostWith(_ => { });
        HttpClient Client(HttpClient client, string role)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", app.Tokens.For(tenant, role));
            return client;
        }
        var (clerkHere, clerkThere) = (Client(app.Client(), LedgerRoles.Clerk), Client(other.Client(), LedgerRoles.Clerk));

        var first = await CreateOrderAsync(clerkHere, "cust-two", "Noor Abernathy-Ilves");
        var second = await CreateOrderAsync(clerkThere, "cust-two", "Noor Abernathy-Ilves"); // taken for new there: retried
        (await PersonalDataAsync(clerkThere, first)).GetProperty("fields").GetProperty("name").GetString().ShouldBe("Noor Abernathy-Ilves");
        (await PersonalDataAsync(clerkHere, second)).GetProperty("fields").GetProperty("name").GetString().ShouldBe("Noor Abernathy-Ilves");

        using (var erased = await Client(app.Client(), LedgerRoles.PrivacyOfficer).PostAsync("/api/data-subjects/cust-two/erasure", null))
            erased.EnsureSuccessStatusCode();
        var third = await CreateOrderAsync(clerkThere, "cust-two", "Noor Abernathy-Ilves"); // held key erased here: retried

        (await PersonalDataAsync(clerkThere, third)).GetProperty("status").GetString().ShouldBe("available");
        foreach (var order in new[] { first, second })
            (await PersonalDataAsync(clerkThere, order)).GetProperty("status").GetString().ShouldBe("erased");
        var keys = (await GetAsync(Client(other.Client(), LedgerRoles.PrivacyOfficer), "/api/data-subjects/cust-two")).GetProperty("keys");
        keys.EnumerateArray().Select(k => (k.GetProperty("generation").GetInt32(), k.GetProperty("status").GetString()))
            .ShouldBe([(1, "erased"), (2, "live")]);
    }
}
