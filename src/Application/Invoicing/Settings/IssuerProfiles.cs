using Ledger.Domain.Invoicing;
using Ledger.Domain.Money;
using Ledger.Domain.TaxIds;
using Npgsql;

namespace Ledger.Application.Invoicing.Settings;

/// <summary>
/// Issuer profiles per tenant (table <c>fiscal_issuers</c>, kept by the <c>fiscal.issuer.profile_set</c> events); a
/// tenant without one gets the <paramref name="fallback"/>'s profile when there is one (development), else
/// <see cref="IssuerProfile.Unconfigured"/>.
/// </summary>
public sealed class IssuerProfiles(NpgsqlDataSource dataSource, IMissingIssuerProfile? fallback = null)
{
    public const string Invalid = "validation.failed";

    public async Task<IssuerProfile> ForAsync(string tenantId, CancellationToken ct = default)
    {
        if (await FindAsync(tenantId, ct).ConfigureAwait(false) is { } profile) return profile;
        if (fallback is null) return IssuerProfile.Unconfigured;
        await fallback.ProvideAsync(tenantId, ct).ConfigureAwait(false);
        return await FindAsync(tenantId, ct).ConfigureAwait(false) ?? IssuerProfile.Unconfigured;
    }

    /// <summary>The tenant's profile as stored, null when it has none.</summary>
    public async Task<IssuerProfile?> FindAsync(string tenantId, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT legal_name, country, tax_id, functional_currency, time_zone, invoice_series, credit_note_series,
                   default_tax_category, verifactu
              FROM fiscal_issuers WHERE tenant_id = $1
            """);
        command.Parameters.Add(new() { Value = tenantId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        var country = reader.GetString(1);
        return new IssuerProfile(
            reader.GetString(0), country,
            reader.IsDBNull(2) ? null : Restore(country, reader.GetString(2)),
            reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6),
            reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetBoolean(8));
    }

    /// <summary>The stored tax id was checked when it was saved; checking again only recovers its scheme.</summary>
    private static TaxId Restore(string country, string value) =>
        TaxIdValidator.Check(country, value).TaxId ?? TaxId.Restore(country, TaxIdSchemes.Other, value);

    /// <summary>Checks and stores a tenant's profile directly, replacing the one it had (tests and seeding; the API sets it
    /// through <see cref="InvoicingSettings"/>, as an event).</summary>
    /// <exception cref="ValidationError">a field is invalid (<c>tax_id.*</c> for the tax id, <c>issuer.*</c> otherwise).</exception>
    public async Task<IssuerProfile> SaveAsync(string tenantId, IssuerProfileInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var profile = Validate(input);
        await using var command = dataSource.CreateCommand("""
            INSERT INTO fiscal_issuers (tenant_id, legal_name, country, tax_id, functional_currency, time_zone, invoice_series,
                                        credit_note_series, default_tax_category, verifactu)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (tenant_id) DO UPDATE SET legal_name = excluded.legal_name, country = excluded.country, tax_id = excluded.tax_id,
                functional_currency = excluded.functional_currency, time_zone = excluded.time_zone, invoice_series = excluded.invoice_series,
                credit_note_series = excluded.credit_note_series, default_tax_category = excluded.default_tax_category,
                verifactu = excluded.verifactu, updated_at = clock_timestamp()
            """);
        foreach (var value in new object?[]
                 {
                     tenantId, profile.LegalName, profile.Country, profile.TaxId?.Value, profile.FunctionalCurrency, profile.TimeZone,
                     profile.InvoiceSeries, profile.CreditNoteSeries, profile.DefaultTaxCategory, profile.VeriFactu,
                 })
            command.Parameters.Add(new() { Value = value ?? DBNull.Value });
        await command.ExecuteNonQueryAsync(ct);
        return profile;
    }

    /// <exception cref="ValidationError">a field is invalid: <c>tax_id.*</c> when only the tax id is, else <c>validation.failed</c>.</exception>
    public static IssuerProfile Validate(IssuerProfileInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new Dictionary<string, string[]>();
        var code = Invalid;
        TaxId? taxId = null;
        if (input.TaxId is not null)
        {
            var check = TaxIdValidator.Check(input.Country, input.TaxId);
            if (check.IsValid) taxId = check.TaxId;
            else
            {
                errors["tax_id"] = [check.Reason!];
                code = check.ErrorCode!;
            }
        }
        if (string.IsNullOrWhiteSpace(input.LegalName)) errors["legal_name"] = ["is required"];
        if (input.Country is not { Length: 2 } || !input.Country.All(char.IsAsciiLetterUpper)) errors["country"] = ["must be an ISO 3166-1 alpha-2 code"];
        if (!Currency.TryGet(input.FunctionalCurrency, out _)) errors["functional_currency"] = ["must be an ISO 4217 currency code"];
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(input.TimeZone, out _)) errors["time_zone"] = ["must be an IANA time zone such as Europe/Madrid"];
        if (!InvoiceNumber.IsValidSeries(input.InvoiceSeries)) errors["invoice_series"] = ["must be upper-case letters, digits and dashes"];
        if (!InvoiceNumber.IsValidSeries(input.CreditNoteSeries)) errors["credit_note_series"] = ["must be upper-case letters, digits and dashes"];
        if (input.DefaultTaxCategory is { } category && !TaxRuleBook.IsCategory(category))
            errors["default_tax_category"] = ["must be 1 to 64 lower-case letters, digits and . _ -"];
        if (input.LegalName is { Length: > 200 }) errors["legal_name"] = ["must be at most 200 characters"];
        if (input.VeriFactu && (input.Country != "ES" || taxId is null || input.FunctionalCurrency != "EUR"))
            errors["verifactu"] = ["needs a Spanish issuer (country ES) with a tax id and euro books"];
        if (errors.Count > 0)
            throw new ValidationError(errors.ContainsKey("tax_id") && errors.Count == 1 ? code : Invalid, "The issuer profile is invalid.", errors);
        return new IssuerProfile(input.LegalName, input.Country, taxId, input.FunctionalCurrency, input.TimeZone, input.InvoiceSeries,
            input.CreditNoteSeries, input.DefaultTaxCategory, input.VeriFactu);
    }
}

/// <summary>An issuer profile as an operator sends it, before it is checked.</summary>
public sealed record IssuerProfileInput(
    string LegalName,
    string Country,
    string? TaxId,
    string FunctionalCurrency,
    string TimeZone,
    string InvoiceSeries,
    string CreditNoteSeries,
    string? DefaultTaxCategory,
    bool VeriFactu);

/// <summary>What to do when a tenant without an issuer profile needs one (in development: provide a default).</summary>
public interface IMissingIssuerProfile
{
    Task ProvideAsync(string tenantId, CancellationToken ct);
}
