using Ledger.Application.Invoicing.VeriFactu;
using Ledger.Domain.Invoicing;

namespace Ledger.Application.Tests.Invoicing.VeriFactu;

/// <summary>
/// Records sent by other billing systems: their fingerprints are verified over their own field strings (amounts as
/// written in their XML, with or without trailing zeros), and Ledger's chain can continue from them — while Ledger's
/// own records keep their two-decimal amounts.
/// </summary>
public class VeriFactuInteropTests
{
    // Another implementation's registration record continuing the AEAT example chain (after its second vector), with its
    // amounts written without trailing zeros. Its fingerprint was computed apart from Ledger, with python3 hashlib over
    // the AEAT concatenation of exactly these strings (independent_fingerprints.py prints all three values below too):
    //   python3 -c 'import hashlib; print(hashlib.sha256(b"IDEmisorFactura=89890001K&NumSerieFactura=12345680/G35&FechaExpedicionFactura=01-01-2024&TipoFactura=F1&CuotaTotal=12.1&ImporteTotal=100&Huella=F7B94CFD8924EDFF273501B01EE5153E4CE8F259766F88CF6ACB8935802A2B97&FechaHoraHusoGenRegistro=2024-01-01T19:20:40+01:00").hexdigest().upper())'
    private const string ForeignFingerprint = "B96419BB51F45F0296DBD751E924194E329A9C443871CC97203088102748AF49";

    // The same fields with the amounts rewritten as 12.10 and 100.00 (same python3 one-liner): what reformatting gives.
    private const string ReformattedFingerprint = "99CD5B60438CE079DCBE5A689ABBA033EC991CD47C4306757EDEEC651CC6D668";

    // Ledger's F2 record (tax 21.00, total 121.00, FV-2026/000001, 02-03-2026, generated 2026-03-02T10:15:00+01:00) chained
    // after the foreign record, by the same python3 hashlib concatenation with Huella=B964…AF49.
    private const string LedgerAfterForeign = "CAE3E268CB0B4E905138FAB9CDB8393D09048885A36BB2DB27DB117A5FED89FE";

    private const string AeatSecond = "F7B94CFD8924EDFF273501B01EE5153E4CE8F259766F88CF6ACB8935802A2B97";

    private static string Alta(string number, string tax, string total, string previous, string generatedAt, string fingerprint) => $"""
        <sum:RegFactuSistemaFacturacion xmlns:sum="https://www2.agenciatributaria.gob.es/static_files/common/internet/dep/aplicaciones/es/aeat/tike/cont/ws/SuministroLR.xsd"
            xmlns:sum1="https://www2.agenciatributaria.gob.es/static_files/common/internet/dep/aplicaciones/es/aeat/tike/cont/ws/SuministroInformacion.xsd">
          <sum:RegistroFactura>
            <sum1:RegistroAlta>
              <sum1:IDVersion>1.0</sum1:IDVersion>
              <sum1:IDFactura>
                <sum1:IDEmisorFactura>89890001K</sum1:IDEmisorFactura>
                <sum1:NumSerieFactura>{number}</sum1:NumSerieFactura>
                <sum1:FechaExpedicionFactura>01-01-2024</sum1:FechaExpedicionFactura>
              </sum1:IDFactura>
              <sum1:NombreRazonEmisor>Otro SIF SL</sum1:NombreRazonEmisor>
              <sum1:TipoFactura>F1</sum1:TipoFactura>
              <sum1:CuotaTotal>{tax}</sum1:CuotaTotal>
              <sum1:ImporteTotal>{total}</sum1:ImporteTotal>
              <sum1:Encadenamiento>{(previous.Length == 0 ? "<sum1:PrimerRegistro>S</sum1:PrimerRegistro>" :
                  $"<sum1:RegistroAnterior><sum1:IDEmisorFactura>89890001K</sum1:IDEmisorFactura><sum1:NumSerieFactura>x</sum1:NumSerieFactura><sum1:FechaExpedicionFactura>01-01-2024</sum1:FechaExpedicionFactura><sum1:Huella>{previous}</sum1:Huella></sum1:RegistroAnterior>")}</sum1:Encadenamiento>
              <sum1:FechaHoraHusoGenRegistro>{generatedAt}</sum1:FechaHoraHusoGenRegistro>
              <sum1:TipoHuella>01</sum1:TipoHuella>
              <sum1:Huella>{fingerprint}</sum1:Huella>
            </sum1:RegistroAlta>
          </sum:RegistroFactura>
        </sum:RegFactuSistemaFacturacion>
        """;

    private static readonly string Foreign = Alta("12345680/G35", "12.1", "100", AeatSecond, "2024-01-01T19:20:40+01:00", ForeignFingerprint);

    [Fact]
    public void The_AEAT_vectors_sent_as_XML_records_verify_over_their_field_strings_and_chain()
    {
        var previous = "";
        foreach (var (input, fingerprint) in VeriFactuTestData.Vectors())
        {
            var fields = input.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            var record = VeriFactuRecordXml.Read(Alta(fields["NumSerieFactura"], fields["CuotaTotal"], fields["ImporteTotal"], fields["Huella"],
                fields["FechaHoraHusoGenRegistro"], fingerprint));
            record.FingerprintInput.ShouldBe(input);
            record.IsIntact.ShouldBeTrue();
            record.PreviousFingerprint.ShouldBe(previous);
            previous = record.Fingerprint;
        }
    }

    [Fact]
    public void A_record_whose_amounts_lack_trailing_zeros_verifies_as_sent_and_not_when_reformatted()
    {
        var record = VeriFactuRecordXml.Read(Foreign);
        record.TotalTax.ShouldBe("12.1");
        record.TotalAmount.ShouldBe("100");
        record.FingerprintInput.ShouldContain("&CuotaTotal=12.1&ImporteTotal=100&");
        VeriFactuFingerprint.Of(record.FingerprintInput).ShouldBe(ForeignFingerprint);
        record.IsIntact.ShouldBeTrue();

        // Ledger's own amount format applied to it gives another hash: the reason a record is hashed as sent.
        var reformatted = record with { TotalTax = VeriFactuFingerprint.Amount(12.1m), TotalAmount = VeriFactuFingerprint.Amount(100m) };
        VeriFactuFingerprint.Of(reformatted.FingerprintInput).ShouldBe(ReformattedFingerprint);
        reformatted.IsIntact.ShouldBeFalse();
    }

    [Fact]
    public void A_record_altered_after_it_was_hashed_does_not_verify()
    {
        VeriFactuRecordXml.Read(Alta("12345680/G35", "12.10", "100", AeatSecond, "2024-01-01T19:20:40+01:00", ForeignFingerprint)).IsIntact.ShouldBeFalse();
        VeriFactuRecordXml.Read(Alta("12345680/G35", "12.1", "100", AeatSecond, "2024-01-01T19:20:41+01:00", ForeignFingerprint)).IsIntact.ShouldBeFalse();
    }

    [Fact]
    public void Ledgers_record_continues_the_foreign_chain_with_its_own_two_decimal_amounts()
    {
        var foreign = VeriFactuRecordXml.Read(Foreign);
        var madrid = TimeZoneInfo.FindSystemTimeZoneById("Europe/Madrid");
        var next = VeriFactuChain.Registration(foreign, Guid.CreateVersion7(), Guid.CreateVersion7(), "89890001K", new InvoiceNumber("FV-2026", 1),
            new DateOnly(2026, 3, 2), VeriFactuRecord.SimplifiedInvoice, 21m, 121m, new DateTimeOffset(2026, 3, 2, 9, 15, 0, TimeSpan.Zero), madrid);

        next.PreviousFingerprint.ShouldBe(ForeignFingerprint);
        next.FingerprintInput.ShouldContain("&CuotaTotal=21.00&ImporteTotal=121.00&");
        next.Fingerprint.ShouldBe(LedgerAfterForeign);
        next.IsIntact.ShouldBeTrue();
    }

    [Fact]
    public void A_cancellation_record_and_a_first_record_are_read_too_and_malformed_input_is_refused()
    {
        var first = VeriFactuRecordXml.Read(Alta("12345678/G33", "12.35", "123.45", "", "2024-01-01T19:20:30+01:00",
            "3C464DAF61ACB827C65FDA19F352A4E3BDC2C640E9E9FC4CC058073F38F12F60"));
        first.PreviousFingerprint.ShouldBe("");
        first.IsIntact.ShouldBeTrue();

        var cancellation = VeriFactuRecordXml.Read("""
            <RegistroAnulacion><IDVersion>1.0</IDVersion>
              <IDFactura><IDEmisorFacturaAnulada>89890001K</IDEmisorFacturaAnulada><NumSerieFacturaAnulada>12345680/G35</NumSerieFacturaAnulada>
                <FechaExpedicionFacturaAnulada>01-01-2024</FechaExpedicionFacturaAnulada></IDFactura>
              <Encadenamiento><RegistroAnterior><Huella>B96419BB51F45F0296DBD751E924194E329A9C443871CC97203088102748AF49</Huella></RegistroAnterior></Encadenamiento>
              <FechaHoraHusoGenRegistro>2024-01-02T10:00:00+01:00</FechaHoraHusoGenRegistro><Huella>unknown</Huella>
            </RegistroAnulacion>
            """);
        cancellation.Kind.ShouldBe(VeriFactuRecord.Cancellation);
        cancellation.FingerprintInput.ShouldBe("IDEmisorFacturaAnulada=89890001K&NumSerieFacturaAnulada=12345680/G35&FechaExpedicionFacturaAnulada=01-01-2024"
            + $"&Huella={ForeignFingerprint}&FechaHoraHusoGenRegistro=2024-01-02T10:00:00+01:00");

        Should.Throw<FormatException>(() => VeriFactuRecordXml.Read("<RegistroAlta>"));
        Should.Throw<FormatException>(() => VeriFactuRecordXml.Read("<Other/>"));
        Should.Throw<FormatException>(() => VeriFactuRecordXml.Read("""<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><RegistroAlta>&e;</RegistroAlta>"""));
    }
}
