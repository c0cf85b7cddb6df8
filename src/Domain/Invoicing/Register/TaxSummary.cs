namespace Ledger.Domain.Invoicing.Register;

/// <summary>One line of the tax summary: per period and rate, the base and tax in the tenant's functional currency.</summary>
public sealed record TaxSummaryLine(string Period, decimal Rate, bool Exempt, decimal Base, decimal Tax);

/// <summary>
/// The tax summary a tax return needs, folded document by document exactly as the read model applies them: each
/// register row adds its functional base and tax to its (period, rate) line — credit notes add negative amounts —
/// so applying a row is one upsert that adds, and the summary always equals the sum of the register's rows.
/// Only functional-currency amounts are summed: a period mixes invoice currencies, a tax return does not.
/// </summary>
public static class TaxSummary
{
    public static IReadOnlyDictionary<(string Period, decimal Rate, bool Exempt), TaxSummaryLine> Empty { get; } =
        new Dictionary<(string, decimal, bool), TaxSummaryLine>();

    public static IReadOnlyDictionary<(string Period, decimal Rate, bool Exempt), TaxSummaryLine> Apply(
        IReadOnlyDictionary<(string Period, decimal Rate, bool Exempt), TaxSummaryLine> summary, RegisterRow row)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(row);
        var next = new Dictionary<(string, decimal, bool), TaxSummaryLine>(summary);
        foreach (var amounts in row.ByRate)
        {
            var key = (row.Period, amounts.Rate, amounts.Exempt);
            next[key] = next.TryGetValue(key, out var line)
                ? line with { Base = line.Base + amounts.FunctionalBase, Tax = line.Tax + amounts.FunctionalTax }
                : new TaxSummaryLine(row.Period, amounts.Rate, amounts.Exempt, amounts.FunctionalBase, amounts.FunctionalTax);
        }
        return next;
    }
}
