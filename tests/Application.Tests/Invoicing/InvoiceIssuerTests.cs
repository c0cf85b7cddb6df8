using Ledger.Application.Invoicing;
using Ledger.Application.Invoicing.Events;
using Ledger.Domain;
using Ledger.Domain.Invoicing;

namespace Ledger.Application.Tests.Invoicing;

/// <summary>Issuing invoices against the real store: numbering, taxes and currencies, tax ids, idempotence.</summary>
public sealed class InvoiceIssuerTests : IAsyncLifetime
{
    private InvoicingTestBed bed = null!;

    public async Task InitializeAsync() => bed = await InvoicingTestBed.CreateAsync();

    public async Task DisposeAsync() => await bed.DisposeAsync();

    private async Task<long[]> SeriesNumbers(string series) =>
        [.. (await bed.Stream(InvoiceStreams.InvoiceSeries(series))).Select(e => NumberingEventCodec.Decode(e).Sequence)];

    [Fact]
    public async Task Twenty_concurrent_issues_in_one_series_are_numbered_1_to_20_without_gap_or_duplicate()
    {
        // Two issuers stand for two Host processes: within one, a series gate queues requests; between them only the
        // series stream's expected version keeps numbers unique, so both paths are exercised.
        var issuers = new[] { bed.Issuer, bed.NewIssuer() };
        var written = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            issuers[i % 2].IssueAsync(bed.Context(correlation: $"c{i}"), InvoicingTestBed.Request(series: "A-2026"))));

        written.Select(w => w.Number.Sequence).Order().ShouldBe(Enumerable.Range(1, 20).Select(n => (long)n));
        written.ShouldAllBe(w => w.Number.Series == "A-2026" && w.Result.EventsAppended == 1);
        (await SeriesNumbers("A-2026")).ShouldBe(Enumerable.Range(1, 20).Select(n => (long)n));
        foreach (var w in written)
            (await bed.Invoice(w.DocumentId)).Facts.Number.ShouldBe(w.Number);
    }

    [Fact]
    public async Task A_refused_issue_takes_no_number()
    {
        var first = await bed.Issuer.IssueAsync(bed.Context(), InvoicingTestBed.Request());
        (await Should.ThrowAsync<DomainError>(() => bed.Issuer.IssueAsync(bed.Context(),
            InvoicingTestBed.Request(lines: new InvoiceLine("X", 1m, 1m, 0m, "no.such.category"))))).Code.ShouldBe("invoice.unknown_tax_category");
        (await Should.ThrowAsync<ValidationError>(() => bed.Issuer.IssueAsync(bed.Context(),
            InvoicingTestBed.Request(taxId: new TaxIdInput("ES", "12345678A"))))).Code.ShouldBe("tax_id.invalid_nif");
        (await Should.ThrowAsync<DomainError>(() => bed.Issuer.IssueAsync(bed.Context(),
            InvoicingTestBed.Request(currency: "USD")))).Code.ShouldBe("invoice.exchange_rate_required");
        var next = await bed.Issuer.IssueAsync(bed.Context(), InvoicingTestBed.Request());

        (first.Number.Sequence, next.Number.Sequence).ShouldBe((1L, 2L));
        (await SeriesNumbers("A")).ShouldBe([1L, 2L]);
    }

    [Fact]
    public async Task Concurrent_issues_with_refusals_among_them_leave_no_gap()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            var request = i % 4 == 0
                ? InvoicingTestBed.Request(lines: new InvoiceLine("X", 1m, 1m, 150m, "exempt"))
                : InvoicingTestBed.Request();
            try
            {
                return (await (i % 2 == 0 ? bed.Issuer : bed.NewIssuer()).IssueAsync(bed.Context(), request)).Number.Sequence;
            }
            catch (DomainError e) when (e.Code == "invoice.invalid_discount")
            {
                return 0L;
            }
        }));

        results.Count(n => n == 0).ShouldBe(5);
        results.Where(n => n > 0).Order().ShouldBe(Enumerable.Range(1, 15).Select(n => (long)n));
        (await SeriesNumbers("A")).ShouldBe(Enumerable.Range(1, 15).Select(n => (long)n));
    }

    [Fact]
    public async Task An_invalid_customer_tax_id_is_a_validation_error_naming_the_field()
    {
        var error = await Should.ThrowAsync<ValidationError>(() =>
            bed.Issuer.IssueAsync(bed.Context(), InvoicingTestBed.Request(taxId: new TaxIdInput("BR", "111.444.777-00"))));
        error.Code.ShouldBe("tax_id.invalid_cpf");
        error.Errors.Keys.ShouldBe(["customer.tax_id"]);
    }

    [Fact]
    public async Task The_same_issue_sent_twice_is_one_invoice_with_one_number()
    {
        var request = InvoicingTestBed.Request(taxId: InvoicingTestBed.SpanishCompany);
        var first = await bed.Issuer.IssueAsync(bed.Context(), request);
        var again = await bed.Issuer.IssueAsync(bed.Context(), request);

        again.Number.ShouldBe(first.Number);
        again.Result.EventsAppended.ShouldBe(0);
        (await bed.Stream(InvoiceStreams.Invoice(request.InvoiceId))).Count.ShouldBe(1);
        (await SeriesNumbers("A")).ShouldBe([1L]);
        (await Should.ThrowAsync<DomainError>(() => bed.Issuer.IssueAsync(bed.Context(), request with { Currency = "USD", ExchangeRate = 0.9m })))
            .Code.ShouldBe("invoice.already_exists");
    }

    [Fact]
    public async Task An_invoice_records_the_rules_version_in_force_and_a_later_version_does_not_change_it()
    {
        var before = await bed.Issuer.IssueAsync(bed.Context(), InvoicingTestBed.Request());
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await bed.Rules.PublishAsync(bed.Tenant, today.AddDays(30), [new TaxRate("es.vat.general", 23m, false)], "accountant");
        var stillOld = await bed.Issuer.IssueAsync(bed.Context(), InvoicingTestBed.Request());
        var v3 = await bed.Rules.PublishAsync(bed.Tenant, today.AddDays(-1),
            [new TaxRate("es.vat.general", 22m, false), new TaxRate("es.vat.reduced", 10m, false)], "accountant");
        var after = await bed.Issuer.IssueAsync(bed.Context(), InvoicingTestBed.Request());

        v3.Version.ShouldBe(3);
        (await bed.Invoice(before.DocumentId)).Facts.TaxRuleVersion.ShouldBe(1);
        (await bed.Invoice(stillOld.DocumentId)).Facts.Lines[0].TaxRate.ShouldBe(21m);
        var now = (await bed.Invoice(after.DocumentId)).Facts;
        (now.TaxRuleVersion, now.Lines[0].TaxRate, now.ByRate[0].Tax).ShouldBe((3, 22m, 5.94m));
        (await bed.Invoice(before.DocumentId)).Facts.ByRate[0].Tax.ShouldBe(5.67m);
    }

    [Fact]
    public async Task The_exchange_rate_of_the_issue_date_is_fixed_on_the_invoice_with_both_amounts()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await bed.Rates.SaveAsync(bed.Tenant, "USD", "EUR", today.AddDays(-10), 0.9000m);
        await bed.Rates.SaveAsync(bed.Tenant, "USD", "EUR", today, 0.9234m);
        await bed.Rates.SaveAsync(bed.Tenant, "USD", "EUR", today.AddDays(5), 0.9999m);
        var written = await bed.Issuer.IssueAsync(bed.Context(), InvoicingTestBed.Request(currency: "USD",
            lines: new InvoiceLine("Service", 1m, 100m, 0m, "es.vat.general")));

        var facts = (await bed.Invoice(written.DocumentId)).Facts;
        (facts.Currency, facts.FunctionalCurrency, facts.ExchangeRate).ShouldBe(("USD", "EUR", 0.9234m));
        facts.Totals.ShouldBe(new DocumentTotals(100.00m, 21.00m, 121.00m, 92.34m, 19.39m, 111.73m));
    }

    [Fact]
    public async Task The_stored_event_writes_money_as_strings_and_seals_personal_data_apart_and_reads_back_the_same()
    {
        var written = await bed.Issuer.IssueAsync(bed.Context(InvoicingTestBed.T0), InvoicingTestBed.Request(taxId: InvoicingTestBed.SpanishCompany));
        var stored = (await bed.Stream(InvoiceStreams.Invoice(written.DocumentId))).Single();

        stored.EventType.ShouldBe("fiscal.invoice.issued");
        stored.TypeVersion.ShouldBe(2);
        stored.Metadata.Actor.ShouldBe("clerk-1");
        var data = stored.Data;
        data.GetProperty("totals").GetProperty("total").GetString().ShouldBe("43.56");
        data.GetProperty("tax_breakdown")[0].GetProperty("rate").GetString().ShouldBe("21");
        data.GetProperty("number").GetProperty("text").GetString().ShouldBe("A/000001");
        data.GetProperty("customer").GetProperty("tax_id").GetProperty("value").GetString().ShouldBe("B12345674");
        data.GetProperty("customer").GetProperty("tax_id").GetProperty("scheme").GetString().ShouldBe("es.cif");
        // The recipient's name and address are sealed under the customer's key; the tax id above stays in clear.
        var personal = data.GetProperty("personal");
        personal.GetProperty("subject_id").GetString().ShouldBe("cust-1");
        data.GetRawText().ShouldNotContain("Ada Lovelace");
        data.GetRawText().ShouldNotContain("Analytical");
        var key = (await bed.Db.SubjectKeys.ReadAsync(bed.Db.AppDataSource, bed.Tenant, ["cust-1"], default)).Single().Key!;
        key.Generation.ShouldBe(personal.GetProperty("key_generation").GetInt32());
        key.Open("name", personal.GetProperty("name").GetString()!).ShouldBe("Ada Lovelace");
        key.Open("address", personal.GetProperty("address").GetString()!).ShouldBe("1 Analytical St");
        data.GetProperty("issue_date").GetString().ShouldBe("2026-03-02");
        data.TryGetProperty("order_id", out _).ShouldBeFalse();

        var decoded = (InvoiceIssued)InvoiceEventCodec.Decode(stored);
        decoded.Personal.ShouldBeNull(); // decisions never see personal data
        // PostgreSQL's jsonb orders keys its own way: compare as JSON values, not as text.
        var facts = System.Text.Json.Nodes.JsonNode.Parse(data.GetRawText())!.AsObject();
        facts.Remove("personal");
        System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(InvoiceEventCodec.Encode(decoded).Data.GetRawText()), facts)
            .ShouldBeTrue();
    }

    [Fact]
    public async Task The_invoice_for_an_order_has_an_id_derived_from_the_order()
    {
        var order = Guid.CreateVersion7();
        InvoiceStreams.InvoiceIdForOrder(order).ShouldBe(InvoiceStreams.InvoiceIdForOrder(order));
        InvoiceStreams.InvoiceIdForOrder(order).ShouldNotBe(InvoiceStreams.InvoiceIdForOrder(Guid.CreateVersion7()));
        InvoiceStreams.InvoiceIdForOrder(order).Version.ShouldBe(8);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Stored_tax_rules_cannot_be_changed_by_the_application_role()
    {
        await bed.Rules.InForceAsync(bed.Tenant, new DateOnly(2026, 1, 1));
        await using var update = bed.Db.AppDataSource.CreateCommand("UPDATE fiscal_tax_rules SET rate = 1");
        (await Should.ThrowAsync<Npgsql.PostgresException>(() => update.ExecuteNonQueryAsync())).SqlState.ShouldBe("42501");
        await using var admin = bed.Db.AdminDataSource.CreateCommand("DELETE FROM fiscal_tax_rules");
        (await Should.ThrowAsync<Npgsql.PostgresException>(() => admin.ExecuteNonQueryAsync())).SqlState.ShouldBe("LE403");
    }
}
