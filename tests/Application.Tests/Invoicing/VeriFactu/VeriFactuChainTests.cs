using System.Security.Cryptography;
using System.Text;
using Ledger.Application.Invoicing;
using Ledger.Application.Invoicing.Settings;
using Ledger.Application.Invoicing.VeriFactu;
using Ledger.Domain.Invoicing;

namespace Ledger.Application.Tests.Invoicing.VeriFactu;

/// <summary>
/// A Spanish issuer's chain — issue, issue, cancel — through the real handlers and store, checked against fingerprints
/// computed apart from Ledger: by independent_fingerprints.py (its output is held below) and by the AEAT rule written
/// out again here, straight from the README, without Ledger's fingerprint code.
/// </summary>
public sealed class VeriFactuChainTests : IAsyncLifetime
{
    // python3 independent_fingerprints.py ../../../../shared/testdata/verifactu/vectors.tsv
    private static readonly string[] Independent =
    [
        "68E6A12F3A20451E3CCE800A4985971E69D72F4FAE3A8CEDD7217D3C6772D7FB",
        "AAC155051130C6E733B9F7FE5358E1AB4671A08CC85E83EDA130F8684EE35E07",
        "73D7773DD3368BFDDBB6DA4907FE408CC9170283DEA8078D273BACF805018AD9",
    ];

    private InvoicingTestBed bed = null!;

    public async Task InitializeAsync()
    {
        bed = await InvoicingTestBed.CreateAsync();
        await bed.Issuers.SaveAsync(bed.Tenant, new IssuerProfileInput("Ledger Demo SL", "ES", "89890001K", "EUR", "Europe/Madrid",
            "FV-2026", "RV-2026", "es.vat.general", VeriFactu: true));
    }

    public async Task DisposeAsync() => await bed.DisposeAsync();

    private async Task<VeriFactuRecord[]> Chain() =>
        [.. (await bed.Stream(InvoiceStreams.VeriFactu)).Select(VeriFactuEventCodec.Decode)];

    [Fact]
    public async Task Issue_issue_cancel_produces_the_fingerprints_an_independent_implementation_computes()
    {
        var t0 = InvoicingTestBed.T0; // 2026-03-02 09:15:00Z, 10:15:00 in Madrid
        var first = await bed.Issuer.IssueAsync(bed.Context(t0), InvoicingTestBed.Request(taxId: InvoicingTestBed.SpanishCompany));
        await bed.Issuer.IssueAsync(bed.Context(t0.AddSeconds(5)), InvoicingTestBed.Request(lines: new InvoiceLine("Service", 1m, 100m, 0m, "es.vat.general")));
        await bed.CreditNotes.IssueAsync(bed.Context(t0.AddSeconds(10)),
            new IssueCreditNoteRequest(Guid.CreateVersion7(), first.DocumentId, null, null, "issued in error"));

        var chain = await Chain();
        chain.Select(r => r.Fingerprint).ShouldBe(Independent);
        chain.Select(r => (r.Sequence, r.Kind, r.InvoiceNumber, r.InvoiceType)).ShouldBe(
        [
            (1L, "registration", "FV-2026/000001", "F1"),
            (2L, "registration", "FV-2026/000002", "F2"),
            (3L, "cancellation", "FV-2026/000001", null),
        ]);
        chain[0].FingerprintInput.ShouldBe(
            "IDEmisorFactura=89890001K&NumSerieFactura=FV-2026/000001&FechaExpedicionFactura=02-03-2026&TipoFactura=F1&CuotaTotal=6.66" +
            "&ImporteTotal=43.56&Huella=&FechaHoraHusoGenRegistro=2026-03-02T10:15:00+01:00");
        chain[2].FingerprintInput.ShouldBe(
            $"IDEmisorFacturaAnulada=89890001K&NumSerieFacturaAnulada=FV-2026/000001&FechaExpedicionFacturaAnulada=02-03-2026&Huella={Independent[1]}" +
            "&FechaHoraHusoGenRegistro=2026-03-02T10:15:10+01:00");

        // The rule once more, by hand: fields in order, joined with '&', SHA-256, upper-case hex.
        var previous = "";
        foreach (var record in chain)
        {
            string[] fields = record.Kind == "registration"
                ?
                [
                    "IDEmisorFactura=" + record.IssuerId, "NumSerieFactura=" + record.InvoiceNumber, "FechaExpedicionFactura=" + record.IssueDate,
                    "TipoFactura=" + record.InvoiceType, "CuotaTotal=" + record.TotalTax, "ImporteTotal=" + record.TotalAmount,
                    "Huella=" + previous, "FechaHoraHusoGenRegistro=" + record.GeneratedAt,
                ]
                :
                [
                    "IDEmisorFacturaAnulada=" + record.IssuerId, "NumSerieFacturaAnulada=" + record.InvoiceNumber,
                    "FechaExpedicionFacturaAnulada=" + record.IssueDate, "Huella=" + previous, "FechaHoraHusoGenRegistro=" + record.GeneratedAt,
                ];
            var byHand = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("&", fields))));
            record.Fingerprint.ShouldBe(byHand);
            record.PreviousFingerprint.ShouldBe(previous);
            previous = byHand;
        }
    }

    [Fact]
    public async Task A_partial_credit_note_is_registered_as_a_correcting_invoice_with_negative_amounts()
    {
        var invoice = await bed.Issuer.IssueAsync(bed.Context(), InvoicingTestBed.Request(taxId: InvoicingTestBed.SpanishCompany));
        await bed.CreditNotes.IssueAsync(bed.Context(), new IssueCreditNoteRequest(Guid.CreateVersion7(), invoice.DocumentId, null,
            [new CreditedLine(1, 1m)], "one returned"));

        var chain = await Chain();
        chain.Length.ShouldBe(2);
        (chain[1].Kind, chain[1].InvoiceType, chain[1].InvoiceNumber, chain[1].TotalTax, chain[1].TotalAmount)
            .ShouldBe(("registration", "R1", "RV-2026/000001", "-1.89", "-10.89"));
        chain[1].PreviousFingerprint.ShouldBe(chain[0].Fingerprint);
        chain.ShouldAllBe(r => r.IsIntact);
    }

    [Fact]
    public async Task Concurrent_issues_form_one_unbroken_chain()
    {
        await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            (i % 2 == 0 ? bed.Issuer : bed.NewIssuer()).IssueAsync(bed.Context(), InvoicingTestBed.Request())));

        var chain = await Chain();
        chain.Select(r => r.Sequence).ShouldBe(Enumerable.Range(1, 12).Select(n => (long)n));
        chain.ShouldAllBe(r => r.IsIntact);
        for (var i = 1; i < chain.Length; i++) chain[i].PreviousFingerprint.ShouldBe(chain[i - 1].Fingerprint);
        chain.Select(r => r.InvoiceNumber).Order().ShouldBe(Enumerable.Range(1, 12).Select(n => $"FV-2026/{n:D6}"));
    }

    [Fact]
    public async Task A_tenant_that_is_not_a_Spanish_issuer_keeps_no_chain()
    {
        var other = await InvoicingTestBed.CreateAsync();
        await using var _ = other;
        await other.Issuer.IssueAsync(other.Context(), InvoicingTestBed.Request());
        (await other.Stream(InvoiceStreams.VeriFactu)).ShouldBeEmpty();
    }
}
