using System.Globalization;
using System.Net;
using System.Text.Json;
using Ledger.Application.Audit;
using Ledger.Application.Invoicing.Settings;
using Ledger.Application.Invoicing.VeriFactu;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.Host.Auth;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.Invoicing;

/// <summary>
/// A tenant administrator manages invoicing settings through the Host: the issuer profile, tax rule versions (an
/// invoice uses the version in force on its issue date), tax categories and exchange rates — each change validated,
/// versioned (ETag / If-Match), idempotent with a key, and audited in the chain whether accepted or refused.
/// </summary>
public sealed class InvoicingSettingsApiTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
    public const string IssuerBody = """
        {"legal_name":"Acme Iberia SL","country":"ES","tax_id":"B12345674","functional_currency":"EUR","time_zone":"Europe/Madrid",
         "invoice_series":"F-2026","credit_note_series":"R-2026","default_tax_category":"es.vat.general","verifactu":true}
        """;

    private OrderApi As(string tenant, params string[] roles) => new(app.Client(), app.Tokens.For(tenant, roles), tenant, app.Db.Store);

    private static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, text);
        return JsonSerializer.Deserialize<JsonElement>(text);
    }

    private async Task<IReadOnlyList<CommandAuditEntry>> Audit(string tenant, string entity) =>
        [.. (await app.Db.Store.ReadStreamAsync(tenant, AuditStreams.For(entity))).Select(AuditEventCodec.Decode)];

    private static string Today() => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow,
        TimeZoneInfo.FindSystemTimeZoneById("Europe/Madrid")).DateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Day(int offset) => DateOnly.ParseExact(Today(), "yyyy-MM-dd", CultureInfo.InvariantCulture).AddDays(offset)
        .ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_tenant_admin_sets_the_issuer_profile_versioned_by_ETag_and_every_attempt_is_audited()
    {
        var tenant = TestDatabase.NewTenant();
        var admin = As(tenant, LedgerRoles.TenantAdmin);
        await (await admin.GetAsync("/api/invoicing/issuer")).ShouldBeProblem(HttpStatusCode.NotFound, "issuer.not_found");

        using var set = await admin.PutAsync("/api/invoicing/issuer", IssuerBody);
        (await Json(set, HttpStatusCode.OK)).GetProperty("version").GetInt64().ShouldBe(1);
        set.Headers.ETag!.Tag.ShouldBe("\"1\"");
        using var got = await admin.GetAsync("/api/invoicing/issuer");
        var profile = await Json(got, HttpStatusCode.OK);
        got.Headers.ETag!.Tag.ShouldBe("\"1\"");
        profile.GetProperty("tax_id").GetString().ShouldBe("B12345674");
        profile.GetProperty("verifactu").GetBoolean().ShouldBeTrue();

        // Stale If-Match: 409, nothing written. The same profile again: 200, nothing appended.
        await (await admin.PutAsync("/api/invoicing/issuer", IssuerBody.Replace("Acme Iberia SL", "Acme SA", StringComparison.Ordinal), ifMatch: "\"0\""))
            .ShouldBeProblem(HttpStatusCode.Conflict, "concurrency.conflict");
        (await Json(await admin.PutAsync("/api/invoicing/issuer", IssuerBody, ifMatch: "\"1\""), HttpStatusCode.OK)).GetProperty("version").GetInt64().ShouldBe(1);

        // Invalid fields: 400 validation.* per field; an unknown default category: its own code; a bad tax id: tax_id.*.
        var invalid = await (await admin.PutAsync("/api/invoicing/issuer",
            IssuerBody.Replace("\"ES\"", "\"es\"", StringComparison.Ordinal).Replace("Europe/Madrid", "Mars/Olympus", StringComparison.Ordinal)))
            .ShouldBeProblem(HttpStatusCode.BadRequest, "validation.invalid_format");
        invalid.GetProperty("errors").TryGetProperty("country", out _).ShouldBeTrue();
        invalid.GetProperty("errors").TryGetProperty("time_zone", out _).ShouldBeTrue();
        await (await admin.PutAsync("/api/invoicing/issuer", IssuerBody.Replace("es.vat.general", "es.vat.luxury", StringComparison.Ordinal)))
            .ShouldBeProblem(HttpStatusCode.BadRequest, InvoicingSettings.UnknownTaxCategory);
        await (await admin.PutAsync("/api/invoicing/issuer", IssuerBody.Replace("B12345674", "B12345670", StringComparison.Ordinal).Replace("true}", "false}", StringComparison.Ordinal)))
            .ShouldBeProblem(HttpStatusCode.BadRequest, "tax_id.invalid_cif");

        // Roles: a clerk may not set it, and the refusal is audited too.
        await (await As(tenant, LedgerRoles.Clerk).PutAsync("/api/invoicing/issuer", IssuerBody)).ShouldBeProblem(HttpStatusCode.Forbidden, "auth.forbidden");
        await (await As(tenant, LedgerRoles.Clerk).GetAsync("/api/invoicing/issuer")).ShouldBeProblem(HttpStatusCode.Forbidden, "auth.forbidden");

        (await app.Db.Store.ReadStreamAsync(tenant, SettingsEventCodec.IssuerStream)).Count.ShouldBe(1);
        var accepted = await Audit(tenant, SettingsEventCodec.IssuerStream);
        accepted.Single().Result.ShouldBe(AuditResult.Success);
        accepted.Single().Action.ShouldBe("PUT /api/invoicing/issuer");
        var others = await Audit(tenant, "fiscal-settings");
        others.Select(e => (e.Result, e.Status, e.Code)).ShouldBe(
        [
            (AuditResult.Failure, 409, "concurrency.conflict"),
            (AuditResult.Success, null, null), // the repeat that changed nothing
            (AuditResult.Failure, 400, "validation.invalid_format"),
            (AuditResult.Failure, 400, InvoicingSettings.UnknownTaxCategory),
            (AuditResult.Failure, 400, "tax_id.invalid_cif"),
            (AuditResult.Failure, 403, "auth.forbidden"),
        ]);
    }

    [Fact]
    public async Task An_invoice_uses_the_tax_rule_version_in_force_on_its_issue_date()
    {
        var tenant = TestDatabase.NewTenant();
        var admin = As(tenant, LedgerRoles.TenantAdmin);
        var clerk = As(tenant, LedgerRoles.Clerk);
        (await admin.PutAsync("/api/invoicing/issuer", IssuerBody.Replace("true}", "false}", StringComparison.Ordinal))).StatusCode.ShouldBe(HttpStatusCode.OK);
        const string Line = """{"currency":"EUR","lines":[{"description":"Service","quantity":"1","unit_price":"100.00","tax_category":"es.vat.general"}]}""";

        // Version 2 takes effect in a month: today's invoice still uses version 1.
        using var future = await admin.PostAsync("/api/invoicing/tax-rules",
            $$"""{"effective_from":"{{Day(30)}}","rates":[{"category":"es.vat.general","rate":"23"},{"category":"exempt","rate":"0","exempt":true}]}""", ifMatch: "\"0\"");
        (await Json(future, HttpStatusCode.Created)).GetProperty("version").GetInt32().ShouldBe(2);
        var first = await Issue(clerk, Line);
        first.GetProperty("tax_rule_version").GetInt32().ShouldBe(1);
        first.GetProperty("lines")[0].GetProperty("tax_rate").GetString().ShouldBe("21");

        // A stale If-Match is refused; version 3, in force since yesterday, governs today's invoice.
        await (await admin.PostAsync("/api/invoicing/tax-rules", $$"""{"effective_from":"{{Day(-1)}}","rates":[{"category":"es.vat.general","rate":"22"}]}""",
            ifMatch: "\"0\"")).ShouldBeProblem(HttpStatusCode.Conflict, "concurrency.conflict");
        using var current = await admin.PostAsync("/api/invoicing/tax-rules",
            $$"""{"effective_from":"{{Day(-1)}}","rates":[{"category":"es.vat.general","rate":"22"},{"category":"es.vat.books","rate":"4"}]}""", ifMatch: "\"1\"");
        (await Json(current, HttpStatusCode.Created)).GetProperty("version").GetInt32().ShouldBe(3);
        var second = await Issue(clerk, Line);
        second.GetProperty("tax_rule_version").GetInt32().ShouldBe(3);
        second.GetProperty("totals").GetProperty("tax").GetString().ShouldBe("22.00");

        var categories = await Json(await admin.GetAsync("/api/invoicing/tax-categories"), HttpStatusCode.OK);
        categories.GetProperty("rules_version").GetInt32().ShouldBe(3);
        categories.GetProperty("categories").EnumerateArray().Select(c => c.GetProperty("category").GetString()).ShouldBe(["es.vat.books", "es.vat.general"]);
        (await Json(await admin.GetAsync($"/api/invoicing/tax-categories?on={Day(31)}"), HttpStatusCode.OK)).GetProperty("rules_version").GetInt32().ShouldBe(2);
        var rules = await Json(await admin.GetAsync("/api/invoicing/tax-rules"), HttpStatusCode.OK);
        rules.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()).ShouldBe([1, 2, 3]);

        // Malformed rules: 400 with the field.
        var bad = await (await admin.PostAsync("/api/invoicing/tax-rules",
            """{"effective_from":"2026-13-01","rates":[{"category":"VAT!","rate":"101"},{"category":"exempt","rate":"4","exempt":true}]}"""))
            .ShouldBeProblem(HttpStatusCode.BadRequest, "validation.failed");
        bad.GetProperty("errors").EnumerateObject().Select(p => p.Name).ShouldBe(["effective_from", "rates[0].category", "rates[0].rate", "rates[1].rate"], ignoreOrder: true);
        (await app.Db.Store.ReadStreamAsync(tenant, SettingsEventCodec.TaxRulesStream)).Count.ShouldBe(2);
    }

    [Fact]
    public async Task Exchange_rates_set_by_date_price_invoices_in_other_currencies_and_a_keyed_retry_appends_once()
    {
        var tenant = TestDatabase.NewTenant();
        var admin = As(tenant, LedgerRoles.TenantAdmin);
        (await admin.PutAsync("/api/invoicing/issuer", IssuerBody.Replace("true}", "false}", StringComparison.Ordinal))).StatusCode.ShouldBe(HttpStatusCode.OK);

        var path = $"/api/invoicing/exchange-rates/USD/{Day(-2)}";
        using var set = await admin.PutAsync(path, """{"rate":"0.9234"}""", idempotencyKey: "rate-usd-1");
        (await Json(set, HttpStatusCode.OK)).GetProperty("version").GetInt64().ShouldBe(1);
        using var retry = await admin.PutAsync(path, """{"rate":"0.9234"}""", idempotencyKey: "rate-usd-1");
        (await Json(retry, HttpStatusCode.OK)).GetProperty("version").GetInt64().ShouldBe(1);
        (await admin.PutAsync($"/api/invoicing/exchange-rates/USD/{Day(5)}", """{"rate":"0.9999"}""")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.Db.Store.ReadStreamAsync(tenant, SettingsEventCodec.ExchangeRatesStream("USD"))).Count.ShouldBe(2);

        var invoice = await Issue(As(tenant, LedgerRoles.Clerk),
            """{"currency":"USD","lines":[{"description":"Service","quantity":"1","unit_price":"100.00","tax_category":"es.vat.general"}]}""");
        invoice.GetProperty("exchange_rate").GetString().ShouldBe("0.9234");
        invoice.GetProperty("totals").GetProperty("functional_total").GetString().ShouldBe("111.73");

        var list = await Json(await admin.GetAsync("/api/invoicing/exchange-rates?currency=USD"), HttpStatusCode.OK);
        list.GetProperty("rates").EnumerateArray().Select(r => r.GetProperty("rate").GetString()).ShouldBe(["0.9234", "0.9999"]);

        await (await admin.PutAsync(path, """{"rate":0.92}""")).ShouldBeProblem(HttpStatusCode.BadRequest, "validation.amount_not_string");
        await (await admin.PutAsync(path, """{"rate":"0"}""")).ShouldBeProblem(HttpStatusCode.BadRequest, ExchangeRates.Invalid);
        await (await admin.PutAsync($"/api/invoicing/exchange-rates/usd/{Day(0)}", """{"rate":"1.1"}""")).ShouldBeProblem(HttpStatusCode.BadRequest, "validation.invalid_format");
        await (await admin.PutAsync($"/api/invoicing/exchange-rates/EUR/{Day(0)}", """{"rate":"1.1"}""")).ShouldBeProblem(HttpStatusCode.BadRequest, ExchangeRates.Invalid);
        await (await admin.PutAsync(path, """{"rate":"0.95"}""", ifMatch: "\"1\"")).ShouldBeProblem(HttpStatusCode.Conflict, "concurrency.conflict");
        var refused = await Audit(tenant, "fiscal-settings-usd");
        refused.Concat(await Audit(tenant, "fiscal-settings-USD")).Concat(await Audit(tenant, "fiscal-settings-EUR"))
            .Count(e => e.Result == AuditResult.Failure).ShouldBe(5);
    }

    // Another billing system's last record, amounts without trailing zeros; its Huella is python3 hashlib's SHA-256 of
    // "IDEmisorFactura=89890001K&NumSerieFactura=12345680/G35&FechaExpedicionFactura=01-01-2024&TipoFactura=F1&CuotaTotal=12.1
    // &ImporteTotal=100&Huella=F7B9…2B97&FechaHoraHusoGenRegistro=2024-01-01T19:20:40+01:00" (see VeriFactuInteropTests).
    public const string ForeignRecordXml =
        "<RegistroAlta><IDVersion>1.0</IDVersion><IDFactura><IDEmisorFactura>89890001K</IDEmisorFactura><NumSerieFactura>12345680/G35</NumSerieFactura>"
        + "<FechaExpedicionFactura>01-01-2024</FechaExpedicionFactura></IDFactura><TipoFactura>F1</TipoFactura><CuotaTotal>12.1</CuotaTotal>"
        + "<ImporteTotal>100</ImporteTotal><Encadenamiento><RegistroAnterior><Huella>F7B94CFD8924EDFF273501B01EE5153E4CE8F259766F88CF6ACB8935802A2B97</Huella>"
        + "</RegistroAnterior></Encadenamiento><FechaHoraHusoGenRegistro>2024-01-01T19:20:40+01:00</FechaHoraHusoGenRegistro>"
        + "<Huella>B96419BB51F45F0296DBD751E924194E329A9C443871CC97203088102748AF49</Huella></RegistroAlta>";

    [Fact]
    public async Task A_VERIFACTU_chain_continues_another_systems_last_record_verified_as_sent()
    {
        var tenant = TestDatabase.NewTenant();
        var admin = As(tenant, LedgerRoles.TenantAdmin);
        (await admin.PutAsync("/api/invoicing/issuer", IssuerBody.Replace("B12345674", "89890001K", StringComparison.Ordinal))).StatusCode.ShouldBe(HttpStatusCode.OK);

        await (await admin.PostAsync("/api/verifactu/predecessor", JsonSerializer.Serialize(new { record_xml = ForeignRecordXml.Replace("<CuotaTotal>12.1<", "<CuotaTotal>12.10<", StringComparison.Ordinal) })))
            .ShouldBeProblem(HttpStatusCode.UnprocessableEntity, VeriFactuPredecessor.FingerprintMismatch);
        await (await admin.PostAsync("/api/verifactu/predecessor", """{"record_xml":"<RegistroAlta>"}"""))
            .ShouldBeProblem(HttpStatusCode.BadRequest, VeriFactuPredecessor.InvalidRecord);
        using var recorded = await admin.PostAsync("/api/verifactu/predecessor", JsonSerializer.Serialize(new { record_xml = ForeignRecordXml }));
        var first = await Json(recorded, HttpStatusCode.Created);
        first.GetProperty("total_tax").GetString().ShouldBe("12.1");
        first.GetProperty("fingerprint").GetString().ShouldBe("B96419BB51F45F0296DBD751E924194E329A9C443871CC97203088102748AF49");
        await (await admin.PostAsync("/api/verifactu/predecessor", JsonSerializer.Serialize(new { record_xml = ForeignRecordXml })))
            .ShouldBeProblem(HttpStatusCode.UnprocessableEntity, VeriFactuPredecessor.ChainStarted);

        await Issue(As(tenant, LedgerRoles.Clerk), """{"currency":"EUR","lines":[{"description":"Service","quantity":"1","unit_price":"100.00","tax_category":"es.vat.general"}]}""");
        var records = (await Json(await As(tenant, LedgerRoles.Auditor).GetAsync("/api/verifactu/records"), HttpStatusCode.OK)).GetProperty("records");
        records.GetArrayLength().ShouldBe(2);
        records[1].GetProperty("previous_fingerprint").GetString().ShouldBe(records[0].GetProperty("fingerprint").GetString());
        records[1].GetProperty("total_amount").GetString().ShouldBe("121.00");
        foreach (var r in records.EnumerateArray())
            Ledger.Application.Invoicing.VeriFactu.VeriFactuFingerprint.Of(r.GetProperty("fingerprint_input").GetString()!).ShouldBe(r.GetProperty("fingerprint").GetString());
        (await Audit(tenant, "verifactu-records")).Select(e => e.Code).ShouldBe(
            [VeriFactuPredecessor.FingerprintMismatch, VeriFactuPredecessor.InvalidRecord, null, VeriFactuPredecessor.ChainStarted]);
    }

    private static async Task<JsonElement> Issue(OrderApi clerk, string body)
    {
        using var issued = await clerk.PostAsync("/api/invoices", body);
        var id = (await Json(issued, HttpStatusCode.Created)).GetProperty("id").GetGuid();
        using var got = await clerk.GetAsync($"/api/invoices/{id}");
        return await Json(got, HttpStatusCode.OK);
    }
}
