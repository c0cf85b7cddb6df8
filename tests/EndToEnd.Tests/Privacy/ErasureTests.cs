using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Export;
using Ledger.Host.Auth;
using Ledger.TestSupport;
using static Ledger.EndToEnd.Tests.Privacy.PrivacyApi;

namespace Ledger.EndToEnd.Tests.Privacy;

/// <summary>
/// Issue 16's erasure, end to end against the real database: orders and an invoice for a person, their erasure by the
/// privacy officer, and then — every chain, checkpoint and export still verifies; the same reads answer "erased"; a
/// rebuild of every projection brings nothing back; and the person's strings are nowhere in the database (a pg_dump of
/// the tenant's schema), in the Host's log, in the CLI's output or in the export.
/// </summary>
public sealed class ErasureTests(PrivacyAppFixture app) : IClassFixture<PrivacyAppFixture>
{
    [Fact]
    public async Task An_erased_person_reads_as_erased_everywhere_while_every_chain_and_export_still_verifies()
    {
        var tenant = TestDatabase.NewTenant("privacy");
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var (customer, other) = ("cust-" + suffix, "keep-" + suffix);
        var name = "Zephyrine Quillfeather " + suffix;
        var email = $"zq.{suffix}@erasure.example";
        var address = $"{suffix} Rue des Oubliettes, Lyon";
        var secrets = new[] { name, "Quillfeather", email, "erasure.example", address, "Oubliettes" };
        var clerk = app.Client(app.Tokens.For(tenant, LedgerRoles.Clerk));
        var officer = app.Client(app.Tokens.For(tenant, LedgerRoles.PrivacyOfficer));
        var accountant = app.Client(app.Tokens.For(tenant, LedgerRoles.Accountant));

        var first = await CreateOrderAsync(clerk, customer, name, email, "privacy-" + suffix);
        var second = await CreateOrderAsync(clerk, customer, name, email);
        var kept = await CreateOrderAsync(clerk, other, "Keeps Their Name", "keeps@other.example");
        Guid invoiceId;
        using (var invoice = await clerk.PostAsync("/api/invoices", Body($$$"""
            {"customer":{"customer_id":"{{{customer}}}","tax_id":{"country":"ES","value":"48392017V"},"name":"{{{name}}}","address":"{{{address}}}"},
             "currency":"EUR","lines":[{"description":"Consulting","quantity":"1","unit_price":"100.00","tax_category":"es.vat.general"}]}
            """)))
        {
            var text = await invoice.Content.ReadAsStringAsync();
            invoice.StatusCode.ShouldBe(HttpStatusCode.Created, text);
            invoiceId = JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid();
        }
        await using (var events = app.Db.AdminDataSource.CreateCommand($"SELECT count(*) FROM mt_events WHERE tenant_id = '{tenant}' AND data::text LIKE '%Quillfeather%'"))
            (await events.ExecuteScalarAsync()).ShouldBe(0L, "personal data is sealed before it is appended");

        // Before: the clerk reads the customer's data, the accountant does not see it, the officer sees all of it.
        (await PersonalDataAsync(clerk, first)).GetProperty("fields").GetProperty("name").GetString().ShouldBe(name);
        (await GetAsync(accountant, $"/api/orders/{first}")).TryGetProperty("personal_data", out var hidden).ShouldBeTrue();
        hidden.ValueKind.ShouldBe(JsonValueKind.Null);
        (await GetAsync(clerk, $"/api/invoices/{invoiceId}")).GetProperty("personal_data").GetProperty("fields").GetProperty("address").GetString().ShouldBe(address);
        (await GetAsync(accountant, $"/api/invoices/{invoiceId}")).GetProperty("personal_data").ValueKind.ShouldBe(JsonValueKind.Null);
        var access = await GetAsync(officer, $"/api/data-subjects/{customer}");
        access.GetProperty("records").GetArrayLength().ShouldBe(3);
        access.GetProperty("records").EnumerateArray().ShouldAllBe(r => r.GetProperty("personal_data").GetProperty("status").GetString() == "available");
        access.GetProperty("records")[2].GetProperty("personal_data").GetProperty("fields").GetProperty("address").GetString().ShouldBe(address);

        // Only a privacy officer erases.
        using (var refused = await clerk.PostAsync($"/api/data-subjects/{customer}/erasure", null))
            refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using (var unknown = await officer.PostAsync("/api/data-subjects/nobody-here/erasure", null))
            await unknown.ShouldBeProblem(HttpStatusCode.NotFound, "data_subject.not_found");
        using var erased = await officer.PostAsync($"/api/data-subjects/{customer}/erasure", null);
        var report = await erased.Content.ReadFromJsonAsync<JsonElement>();
        erased.StatusCode.ShouldBe(HttpStatusCode.OK, report.ToString());
        report.GetProperty("keys_destroyed").EnumerateArray().Select(g => g.GetInt32()).ShouldBe([1]);
        report.GetProperty("events_sealed").GetInt32().ShouldBe(3);
        report.GetProperty("events_in_clear").GetInt32().ShouldBe(0);
        report.GetProperty("purged").GetProperty("idempotency_keys").GetInt32().ShouldBe(1);
        // Again: nothing left to destroy, and it says so.
        using (var again = await officer.PostAsync($"/api/data-subjects/{customer}/erasure", null))
        {
            var second_report = await again.Content.ReadFromJsonAsync<JsonElement>();
            again.StatusCode.ShouldBe(HttpStatusCode.OK);
            second_report.GetProperty("keys_destroyed").GetArrayLength().ShouldBe(0);
            second_report.GetProperty("keys_erased_before").EnumerateArray().Select(g => g.GetInt32()).ShouldBe([1]);
        }

        // The same reads answer "erased", never an error; the other customer is untouched.
        foreach (var order in new[] { first, second })
        {
            var personal = await PersonalDataAsync(clerk, order);
            personal.GetProperty("status").GetString().ShouldBe("erased");
            personal.GetProperty("fields").GetProperty("name").ValueKind.ShouldBe(JsonValueKind.Null);
            personal.GetProperty("fields").GetProperty("email").ValueKind.ShouldBe(JsonValueKind.Null);
        }
        (await PersonalDataAsync(clerk, kept)).GetProperty("fields").GetProperty("name").GetString().ShouldBe("Keeps Their Name");
        var invoiceAfter = await GetAsync(clerk, $"/api/invoices/{invoiceId}");
        invoiceAfter.GetProperty("personal_data").GetProperty("status").GetString().ShouldBe("erased");
        invoiceAfter.GetProperty("customer_tax_id").GetProperty("value").GetString().ShouldBe("48392017V", "the fiscal facts stay");
        invoiceAfter.GetProperty("totals").GetProperty("total").GetString().ShouldBe("121.00");
        (await GetAsync(officer, $"/api/data-subjects/{customer}")).GetProperty("records").EnumerateArray()
            .ShouldAllBe(r => r.GetProperty("personal_data").GetProperty("status").GetString() == "erased");

        // The audit trail has the erasure, by its pseudonymous entity.
        await using (var audit = app.Db.AdminDataSource.CreateCommand(
            $"SELECT count(*) FROM mt_events WHERE tenant_id = '{tenant}' AND stream_id = 'audit-data-subject-{customer}'"))
            ((long)(await audit.ExecuteScalarAsync())!).ShouldBeGreaterThanOrEqualTo(2L);

        // The chain, its checkpoints and an export all verify as before: the hashes cover the ciphertext.
        await app.CheckpointAsync(tenant);
        var verified = await GetAsync(app.Auditor(tenant), "/api/ledger/verify");
        while (verified.GetProperty("status").GetString() == "in_progress")
            verified = await GetAsync(app.Auditor(tenant), "/api/ledger/verify?cursor=" + Uri.EscapeDataString(verified.GetProperty("next_cursor").GetString()!));
        verified.GetProperty("status").GetString().ShouldBe("verified", verified.ToString());
        var keys = LedgerKeySet.Parse(await app.Client().GetByteArrayAsync("/api/ledger/jwks"));
        using var export = await app.Auditor(tenant).GetAsync("/api/ledger/export?format=zip");
        export.StatusCode.ShouldBe(HttpStatusCode.OK, await export.Content.ReadAsStringAsync());
        var archive = app.NewPath("export.zip");
        await File.WriteAllBytesAsync(archive, await export.Content.ReadAsByteArrayAsync());
        using (var folder = ExportArchive.Open(archive))
        {
            var result = ExportVerifier.Verify(folder.Path, keys);
            result.Succeeded.ShouldBeTrue(string.Join("\n", result.Failures));
            foreach (var file in Directory.EnumerateFiles(folder.Path, "*", SearchOption.AllDirectories))
                NoSecretIn(await File.ReadAllTextAsync(file), secrets, "the export's " + Path.GetFileName(file));
        }
        var cli = await app.LedgerAsync("verify", "--tenant", tenant);
        cli.ExitCode.ShouldBe(0, cli.Stdout + cli.Stderr);

        // Rebuild every projection from zero: nothing comes back, and the reads still say erased.
        foreach (var projection in new[] { "orders", "receivables", "sales_journal", "invoice_register", "tax_summary" })
        {
            var rebuilt = await app.LedgerAsync("projections", "rebuild", projection);
            rebuilt.ExitCode.ShouldBe(0, rebuilt.Stdout + rebuilt.Stderr);
            NoSecretIn(rebuilt.Stdout + rebuilt.Stderr, secrets, "ledger projections rebuild " + projection);
        }
        (await PersonalDataAsync(clerk, first)).GetProperty("status").GetString().ShouldBe("erased");

        // The database: every table of the store's schema, dumped as a backup would hold it.
        NoSecretIn(await DumpAsync(), secrets, "pg_dump of the schema");
        // The log the Host wrote through all of it.
        NoSecretIn(await ReadSharedAsync(app.LogFile), secrets, "the Host's log");
    }

    [Fact]
    public async Task The_CLI_erases_as_the_API_does_and_a_returning_customer_gets_a_new_key()
    {
        var tenant = TestDatabase.NewTenant("privacy");
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var customer = "cli-" + suffix;
        var clerk = app.Client(app.Tokens.For(tenant, LedgerRoles.Clerk));
        var before = await CreateOrderAsync(clerk, customer, "Oriel Vantongeren " + suffix, $"ov.{suffix}@cli.example");

        var erased = await app.LedgerAsync("erase", "--tenant", tenant, "--subject", customer);
        erased.ExitCode.ShouldBe(0, erased.Stderr);
        using (var report = JsonDocument.Parse(erased.Stdout))
            report.RootElement.GetProperty("keys_destroyed").EnumerateArray().Select(g => g.GetInt32()).ShouldBe([1]);
        (await app.LedgerAsync("erase", "--tenant", tenant, "--subject", "nobody-" + suffix)).ExitCode.ShouldBe(1);
        (await PersonalDataAsync(clerk, before)).GetProperty("status").GetString().ShouldBe("erased");

        // The same customer orders again: a new key (generation 2) seals it, readable, while the old order stays erased.
        var after = await CreateOrderAsync(clerk, customer, "Oriel Vantongeren " + suffix, $"ov.{suffix}@cli.example");
        (await PersonalDataAsync(clerk, after)).GetProperty("fields").GetProperty("name").GetString().ShouldBe("Oriel Vantongeren " + suffix);
        (await PersonalDataAsync(clerk, before)).GetProperty("status").GetString().ShouldBe("erased");
        var keys = (await GetAsync(app.Client(app.Tokens.For(tenant, LedgerRoles.PrivacyOfficer)), $"/api/data-subjects/{customer}")).GetProperty("keys");
        keys.EnumerateArray().Select(k => (k.GetProperty("generation").GetInt32(), k.GetProperty("status").GetString()))
            .ShouldBe([(1, "erased"), (2, "live")]);
    }

    private static void NoSecretIn(string text, string[] secrets, string where)
    {
        text.Length.ShouldBeGreaterThan(0, $"{where} was read");
        foreach (var secret in secrets) text.ShouldNotContain(secret, Case.Insensitive, $"{where} holds '{secret}'");
    }

    private async Task<string> DumpAsync()
    {
        var admin = new Npgsql.NpgsqlConnectionStringBuilder(app.Db.AdminConnectionString);
        var start = new ProcessStartInfo("pg_dump") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-h", admin.Host!, "-p", admin.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", admin.Username!,
                     "-d", admin.Database!, "-n", app.Db.Schema, "--data-only" })
            start.ArgumentList.Add(arg);
        if (admin.Password is { } password) start.Environment["PGPASSWORD"] = password;
        using var process = Process.Start(start)!;
        var dump = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, await error);
        var text = await dump;
        text.ShouldContain("mt_events", Case.Sensitive, "the dump holds the events");
        return text;
    }

    private static async Task<string> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}
