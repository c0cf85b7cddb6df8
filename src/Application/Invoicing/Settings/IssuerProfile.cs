using Ledger.Domain.TaxIds;

namespace Ledger.Application.Invoicing.Settings;

/// <summary>
/// Who issues a tenant's invoices and how: its legal name and tax id, its functional currency (the currency of its
/// books and tax returns), the time zone that decides an invoice's date, the series used when a request names none,
/// the tax category of invoices made for orders, and whether its records form a VERI*FACTU chain.
/// </summary>
public sealed record IssuerProfile(
    string LegalName,
    string? Country,
    TaxId? TaxId,
    string FunctionalCurrency,
    string TimeZone,
    string InvoiceSeries,
    string CreditNoteSeries,
    string? DefaultTaxCategory,
    bool VeriFactu)
{
    /// <summary>A tenant that configured nothing: euro books, UTC dates, series A and R, no VERI*FACTU.</summary>
    public static IssuerProfile Unconfigured { get; } = new("", null, null, "EUR", "UTC", "A", "R", null, false);

    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    /// <summary>The date of <paramref name="at"/> in the issuer's time zone: the date an invoice issued then bears.</summary>
    public DateOnly DateOf(DateTimeOffset at) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, Zone).DateTime);
}
