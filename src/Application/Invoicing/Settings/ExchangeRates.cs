using Npgsql;

namespace Ledger.Application.Invoicing.Settings;

/// <summary>
/// A tenant's exchange rates to its functional currency (table <c>fiscal_exchange_rates</c>), used when an issue
/// request does not fix one: the rate valid on the issue date is the latest one on or before it.
/// </summary>
public sealed class ExchangeRates(NpgsqlDataSource dataSource)
{
    public const string Invalid = "validation.invalid_exchange_rate";

    /// <summary>The rate set for exactly <paramref name="validOn"/>, null when none was.</summary>
    public async Task<decimal?> ExactAsync(string tenantId, string currency, string functionalCurrency, DateOnly validOn, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT rate FROM fiscal_exchange_rates WHERE tenant_id = $1 AND currency = $2 AND functional_currency = $3 AND valid_on = $4
            """);
        foreach (var value in new object[] { tenantId, currency, functionalCurrency, validOn })
            command.Parameters.Add(new() { Value = value });
        return await command.ExecuteScalarAsync(ct) is decimal rate ? rate : null;
    }

    /// <summary>The tenant's rates, by currency and date (at most <paramref name="limit"/>), optionally of one currency.</summary>
    public async Task<IReadOnlyList<(string Currency, string FunctionalCurrency, DateOnly ValidOn, decimal Rate)>> ListAsync(
        string tenantId, string? currency, int limit, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT currency, functional_currency, valid_on, rate FROM fiscal_exchange_rates
             WHERE tenant_id = $1 AND ($2::text IS NULL OR currency = $2) ORDER BY currency, valid_on LIMIT $3
            """);
        command.Parameters.Add(new() { Value = tenantId });
        command.Parameters.Add(new() { Value = (object?)currency ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = limit });
        var rates = new List<(string, string, DateOnly, decimal)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            rates.Add((reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateOnly>(2), reader.GetDecimal(3)));
        return rates;
    }

    public async Task<decimal?> RateAsync(string tenantId, string currency, string functionalCurrency, DateOnly on, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT rate FROM fiscal_exchange_rates
             WHERE tenant_id = $1 AND currency = $2 AND functional_currency = $3 AND valid_on <= $4
             ORDER BY valid_on DESC LIMIT 1
            """);
        command.Parameters.Add(new() { Value = tenantId });
        command.Parameters.Add(new() { Value = currency });
        command.Parameters.Add(new() { Value = functionalCurrency });
        command.Parameters.Add(new() { Value = on });
        return await command.ExecuteScalarAsync(ct) is decimal rate ? rate : null;
    }

    public async Task SaveAsync(string tenantId, string currency, string functionalCurrency, DateOnly validOn, decimal rate, CancellationToken ct = default)
    {
        if (rate <= 0) throw new ValidationError(Invalid, "An exchange rate must be positive.");
        await using var command = dataSource.CreateCommand("""
            INSERT INTO fiscal_exchange_rates (tenant_id, currency, functional_currency, valid_on, rate) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (tenant_id, currency, functional_currency, valid_on) DO UPDATE SET rate = excluded.rate
            """);
        foreach (var value in new object[] { tenantId, currency, functionalCurrency, validOn, rate })
            command.Parameters.Add(new() { Value = value });
        await command.ExecuteNonQueryAsync(ct);
    }
}
