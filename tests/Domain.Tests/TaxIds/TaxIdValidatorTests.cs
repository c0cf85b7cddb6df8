using Ledger.Domain.TaxIds;

namespace Ledger.Domain.Tests.TaxIds;

public class TaxIdValidatorTests
{
    [Theory]
    [InlineData("ES", "12345678Z", "es.nif", "12345678Z")]
    [InlineData("ES", "00000000t", "es.nif", "00000000T")]
    [InlineData("ES", "12.345.678-Z", "es.nif", "12345678Z")]
    [InlineData("ES", "ES12345678Z", "es.nif", "12345678Z")]
    [InlineData("ES", "X1234567L", "es.nie", "X1234567L")]
    [InlineData("ES", "Y1234567X", "es.nie", "Y1234567X")]
    [InlineData("ES", "Z7654321H", "es.nie", "Z7654321H")]
    [InlineData("ES", "K1234567L", "es.nif", "K1234567L")]
    [InlineData("ES", "B12345674", "es.cif", "B12345674")]
    [InlineData("ES", "A58818501", "es.cif", "A58818501")]
    [InlineData("ES", "Q2826000H", "es.cif", "Q2826000H")]
    [InlineData("ES", "P0800000B", "es.cif", "P0800000B")]
    [InlineData("ES", "G28680205", "es.cif", "G28680205")]
    [InlineData("ES", "G2868020E", "es.cif", "G2868020E")]
    [InlineData("MX", "GODE561231GR8", "mx.rfc", "GODE561231GR8")]
    [InlineData("MX", "XAXX010101000", "mx.rfc", "XAXX010101000")]
    [InlineData("MX", "ABC000229AB1", "mx.rfc", "ABC000229AB1")]
    [InlineData("MX", "ñAB&850101A1A", "mx.rfc", "ÑAB&850101A1A")]
    [InlineData("BR", "529.982.247-25", "br.cpf", "52998224725")]
    [InlineData("BR", "12345678909", "br.cpf", "12345678909")]
    [InlineData("BR", "11.222.333/0001-81", "br.cnpj", "11222333000181")]
    [InlineData("BR", "12.ABC.345/01DE-35", "br.cnpj", "12ABC34501DE35")]
    [InlineData("fr", "FR40303265045", "other", "FR40303265045")]
    public void A_valid_tax_id_is_accepted_normalised_with_its_scheme(string country, string value, string scheme, string normalised)
    {
        var check = TaxIdValidator.Check(country, value);
        check.ErrorCode.ShouldBeNull(check.Reason);
        check.TaxId!.Scheme.ShouldBe(scheme);
        check.TaxId.Value.ShouldBe(normalised);
        check.TaxId.Country.ShouldBe(country.ToUpperInvariant());
    }

    [Theory]
    [InlineData("ES", "12345678A", "tax_id.invalid_nif")]
    [InlineData("ES", "1234567Z", "tax_id.invalid_format")]
    [InlineData("ES", "K1234567A", "tax_id.invalid_nif")]
    [InlineData("ES", "X1234567A", "tax_id.invalid_nie")]
    [InlineData("ES", "B12345675", "tax_id.invalid_cif")]
    [InlineData("ES", "B1234567D", "tax_id.invalid_cif")]
    [InlineData("ES", "Q28260008", "tax_id.invalid_cif")]
    [InlineData("ES", "A5881850X", "tax_id.invalid_cif")]
    [InlineData("ES", "I12345678", "tax_id.invalid_format")]
    [InlineData("MX", "GODE561331GR8", "tax_id.invalid_rfc")]
    [InlineData("MX", "ABC010229AB1", "tax_id.invalid_rfc")]
    [InlineData("MX", "GOD1561231GR8", "tax_id.invalid_rfc")]
    [InlineData("MX", "GODE561231GRB", "tax_id.invalid_rfc")]
    [InlineData("MX", "GODE56123", "tax_id.invalid_rfc")]
    [InlineData("BR", "529.982.247-26", "tax_id.invalid_cpf")]
    [InlineData("BR", "111.111.111-11", "tax_id.invalid_cpf")]
    [InlineData("BR", "11.222.333/0001-82", "tax_id.invalid_cnpj")]
    [InlineData("BR", "11.111.111/1111-11", "tax_id.invalid_cnpj")]
    [InlineData("BR", "12.ABC.345/01DE-36", "tax_id.invalid_cnpj")]
    [InlineData("BR", "123", "tax_id.invalid_format")]
    [InlineData("ESP", "12345678Z", "tax_id.invalid_country")]
    [InlineData("ES", "  ", "tax_id.required")]
    [InlineData("DE", "DE-12345678901234567890", "tax_id.invalid_format")]
    public void An_invalid_tax_id_is_refused_with_its_code(string country, string value, string code)
    {
        var check = TaxIdValidator.Check(country, value);
        check.IsValid.ShouldBeFalse();
        check.ErrorCode.ShouldBe(code);
        check.Reason.ShouldNotBeNullOrWhiteSpace();
        TaxIdErrors.All.ShouldContain(code);
    }

    [Fact]
    public void Every_nif_number_has_exactly_one_valid_check_letter()
    {
        foreach (var number in new[] { 0, 1, 22, 23, 12345678, 99999999 })
        {
            var valid = "TRWAGMYFPDXBNJZSQVHLCKE".Count(letter =>
                TaxIdValidator.Check("ES", number.ToString("D8", System.Globalization.CultureInfo.InvariantCulture) + letter).IsValid);
            valid.ShouldBe(1, $"number {number}");
        }
    }
}
