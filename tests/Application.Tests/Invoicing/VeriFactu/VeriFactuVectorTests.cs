using Ledger.Application.Invoicing.VeriFactu;

namespace Ledger.Application.Tests.Invoicing.VeriFactu;

/// <summary>The AEAT's own examples (shared/testdata/verifactu/vectors.tsv) reproduced by Ledger's fingerprint code.</summary>
public class VeriFactuVectorTests
{
    [Fact]
    public void The_vectors_are_there_and_not_empty() => VeriFactuTestData.Vectors().Count.ShouldBeGreaterThanOrEqualTo(2);

    [Fact]
    public void Each_vector_input_hashes_to_its_fingerprint()
    {
        foreach (var (input, fingerprint) in VeriFactuTestData.Vectors())
            VeriFactuFingerprint.Of(input).ShouldBe(fingerprint, input);
    }

    [Fact]
    public void Each_vector_is_rebuilt_from_its_fields_by_the_record_builder_and_chains_to_the_one_before()
    {
        var previous = "";
        foreach (var (input, fingerprint) in VeriFactuTestData.Vectors())
        {
            var fields = input.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            fields["Huella"].ShouldBe(previous);
            var rebuilt = VeriFactuFingerprint.RegistrationInput(fields["IDEmisorFactura"], fields["NumSerieFactura"],
                fields["FechaExpedicionFactura"], fields["TipoFactura"], fields["CuotaTotal"], fields["ImporteTotal"], fields["Huella"],
                fields["FechaHoraHusoGenRegistro"]);
            rebuilt.ShouldBe(input);
            var record = new VeriFactuRecord(1, VeriFactuRecord.Registration, Guid.Empty, Guid.Empty, fields["IDEmisorFactura"],
                fields["NumSerieFactura"], fields["FechaExpedicionFactura"], fields["TipoFactura"], fields["CuotaTotal"], fields["ImporteTotal"],
                fields["Huella"], fields["FechaHoraHusoGenRegistro"], fingerprint);
            record.IsIntact.ShouldBeTrue();
            previous = fingerprint;
        }
    }

    [Fact]
    public void Values_are_trimmed_and_formatted_as_the_AEAT_writes_them()
    {
        VeriFactuFingerprint.RegistrationInput(" 89890001K ", "A/1", "01-01-2024", "F1", "1.00", "2.00", "", "t")
            .ShouldBe("IDEmisorFactura=89890001K&NumSerieFactura=A/1&FechaExpedicionFactura=01-01-2024&TipoFactura=F1&CuotaTotal=1.00&ImporteTotal=2.00&Huella=&FechaHoraHusoGenRegistro=t");
        VeriFactuFingerprint.Amount(12.5m).ShouldBe("12.50");
        VeriFactuFingerprint.Amount(-3m).ShouldBe("-3.00");
        VeriFactuFingerprint.Date(new DateOnly(2024, 1, 1)).ShouldBe("01-01-2024");
        VeriFactuFingerprint.Timestamp(new DateTimeOffset(2024, 1, 1, 18, 20, 30, TimeSpan.Zero), TimeZoneInfo.FindSystemTimeZoneById("Europe/Madrid"))
            .ShouldBe("2024-01-01T19:20:30+01:00");
        VeriFactuFingerprint.Timestamp(new DateTimeOffset(2024, 7, 1, 18, 20, 30, TimeSpan.Zero), TimeZoneInfo.FindSystemTimeZoneById("Europe/Madrid"))
            .ShouldBe("2024-07-01T20:20:30+02:00");
    }
}
