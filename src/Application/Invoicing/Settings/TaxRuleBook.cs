using Ledger.Domain;
using Ledger.Domain.Invoicing;
using Npgsql;

namespace Ledger.Application.Invoicing.Settings;

/// <summary>
/// A tenant's versioned tax rules (tables <c>fiscal_tax_rule_versions</c> and <c>fiscal_tax_rules</c>). A tenant starts
/// with version 1, the statutory rates (<see cref="StatutoryTaxRates"/>), written the first time it is asked for;
/// every later version is published with the date it takes effect. Published versions never change.
/// </summary>
public sealed class TaxRuleBook(NpgsqlDataSource dataSource)
{
    public const string NoneInForce = "tax_rules.none_in_force";
    public const string Invalid = "validation.invalid_tax_rules";

    /// <summary>The version in force on <paramref name="date"/>: the latest effective on or before it.</summary>
    /// <exception cref="DomainError"><c>tax_rules.none_in_force</c>: every version takes effect later.</exception>
    public async Task<TaxRuleSet> InForceAsync(string tenantId, DateOnly date, CancellationToken ct = default)
    {
        await EnsureStatutoryAsync(tenantId, ct);
        await using var command = dataSource.CreateCommand("""
            SELECT v.version, v.effective_from, r.category, r.rate, r.exempt
              FROM (SELECT version, effective_from FROM fiscal_tax_rule_versions
                     WHERE tenant_id = $1 AND effective_from <= $2
                     ORDER BY effective_from DESC, version DESC LIMIT 1) v
              JOIN fiscal_tax_rules r ON r.tenant_id = $1 AND r.version = v.version
             ORDER BY r.category
            """);
        command.Parameters.Add(new() { Value = tenantId });
        command.Parameters.Add(new() { Value = date });
        var rates = new List<TaxRate>();
        var (version, from) = (0, default(DateOnly));
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
            {
                (version, from) = (reader.GetInt32(0), reader.GetFieldValue<DateOnly>(1));
                rates.Add(new TaxRate(reader.GetString(2), reader.GetDecimal(3), reader.GetBoolean(4)));
            }
        return version > 0
            ? new TaxRuleSet(version, from, rates)
            : throw new DomainError(NoneInForce, $"No tax rules of tenant {tenantId} are in force on {date:yyyy-MM-dd}.");
    }

    /// <summary>Publishes a new version taking effect on <paramref name="effectiveFrom"/>; returns it with its number.</summary>
    public async Task<TaxRuleSet> PublishAsync(string tenantId, DateOnly effectiveFrom, IReadOnlyList<TaxRate> rates, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(rates);
        Validate(rates);
        await EnsureStatutoryAsync(tenantId, ct);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var version = await InsertAsync(tenantId, null, effectiveFrom, rates, actor, ct);
                return new TaxRuleSet(version, effectiveFrom, rates);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && attempt < 5)
            {
                // Another version was published at the same moment: take the next number.
            }
        }
    }

    private async Task EnsureStatutoryAsync(string tenantId, CancellationToken ct)
    {
        await using (var exists = dataSource.CreateCommand("SELECT 1 FROM fiscal_tax_rule_versions WHERE tenant_id = $1 LIMIT 1"))
        {
            exists.Parameters.Add(new() { Value = tenantId });
            if (await exists.ExecuteScalarAsync(ct) is not null) return;
        }
        try
        {
            await InsertAsync(tenantId, 1, StatutoryTaxRates.EffectiveFrom, StatutoryTaxRates.Initial, "ledger", ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Written by a concurrent request: the same statutory version 1.
        }
    }

    private async Task<int> InsertAsync(string tenantId, int? version, DateOnly effectiveFrom, IReadOnlyList<TaxRate> rates, string actor, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using var insertVersion = new NpgsqlCommand("""
            INSERT INTO fiscal_tax_rule_versions (tenant_id, version, effective_from, published_by)
            VALUES ($1, coalesce($2, (SELECT coalesce(max(version), 0) + 1 FROM fiscal_tax_rule_versions WHERE tenant_id = $1)), $3, $4)
            RETURNING version
            """, connection, tx);
        insertVersion.Parameters.Add(new() { Value = tenantId });
        insertVersion.Parameters.Add(new() { Value = (object?)version ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        insertVersion.Parameters.Add(new() { Value = effectiveFrom });
        insertVersion.Parameters.Add(new() { Value = actor });
        var number = (int)(await insertVersion.ExecuteScalarAsync(ct))!;
        await using var insertRates = new NpgsqlCommand("""
            INSERT INTO fiscal_tax_rules (tenant_id, version, category, rate, exempt)
            SELECT $1, $2, r.category, r.rate, r.exempt FROM unnest($3::text[], $4::numeric[], $5::boolean[]) AS r(category, rate, exempt)
            """, connection, tx);
        insertRates.Parameters.Add(new() { Value = tenantId });
        insertRates.Parameters.Add(new() { Value = number });
        insertRates.Parameters.Add(new() { Value = rates.Select(r => r.Category).ToArray() });
        insertRates.Parameters.Add(new() { Value = rates.Select(r => r.Rate).ToArray() });
        insertRates.Parameters.Add(new() { Value = rates.Select(r => r.Exempt).ToArray() });
        await insertRates.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return number;
    }

    /// <exception cref="ValidationError"><c>tax_rules.invalid</c>: no rates, a category twice or malformed, a rate outside 0–100, an exemption with a rate.</exception>
    public static void Validate(IReadOnlyList<TaxRate> rates)
    {
        ArgumentNullException.ThrowIfNull(rates);
        if (rates.Count == 0 || rates.Count > MaxRates
            || rates.Any(r => r is null || !IsCategory(r.Category) || r.Rate < 0 || r.Rate > 100 || decimal.Round(r.Rate, 4) != r.Rate || (r.Exempt && r.Rate != 0))
            || rates.Select(r => r.Category).Distinct(StringComparer.Ordinal).Count() != rates.Count)
            throw new ValidationError(Invalid, $"Tax rules need 1 to {MaxRates} categories, each once (lower-case letters, digits and . _ -), with a rate from 0 to 100 of at most 4 decimals (0 when exempt).");
    }

    public const int MaxRates = 100;

    /// <summary>A category name as the table accepts it: 1 to 64 of <c>a-z 0-9 . _ -</c>.</summary>
    public static bool IsCategory(string? category) =>
        category is { Length: > 0 and <= 64 } && category.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or '-');

    /// <summary>The number of the latest version published (1, the statutory rates, for a tenant that published none).</summary>
    public async Task<int> LatestVersionAsync(string tenantId, CancellationToken ct = default)
    {
        await EnsureStatutoryAsync(tenantId, ct);
        await using var command = dataSource.CreateCommand("SELECT max(version) FROM fiscal_tax_rule_versions WHERE tenant_id = $1");
        command.Parameters.Add(new() { Value = tenantId });
        return (int)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Every version of the tenant's rules, oldest first, each with its rates and who published it.</summary>
    public async Task<IReadOnlyList<(TaxRuleSet Rules, string PublishedBy, DateTimeOffset PublishedAt)>> VersionsAsync(string tenantId, CancellationToken ct = default)
    {
        await EnsureStatutoryAsync(tenantId, ct);
        await using var command = dataSource.CreateCommand("""
            SELECT v.version, v.effective_from, v.published_by, v.published_at, r.category, r.rate, r.exempt
              FROM fiscal_tax_rule_versions v JOIN fiscal_tax_rules r ON r.tenant_id = v.tenant_id AND r.version = v.version
             WHERE v.tenant_id = $1 ORDER BY v.version, r.category
            """);
        command.Parameters.Add(new() { Value = tenantId });
        var versions = new List<(TaxRuleSet, string, DateTimeOffset)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var rate = new TaxRate(reader.GetString(4), reader.GetDecimal(5), reader.GetBoolean(6));
            var number = reader.GetInt32(0);
            if (versions.Count > 0 && versions[^1].Item1.Version == number)
                versions[^1] = (versions[^1].Item1 with { Rates = [.. versions[^1].Item1.Rates, rate] }, versions[^1].Item2, versions[^1].Item3);
            else
                versions.Add((new TaxRuleSet(number, reader.GetFieldValue<DateOnly>(1), [rate]), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3)));
        }
        return versions;
    }
}
