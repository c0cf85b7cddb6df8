using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Ledger.Domain.Money;

/// <summary>
/// A currency from ISO 4217 and its number of minor units (EUR 2: cents; JPY 0; KWD 3: fils).
/// Only the codes in <see cref="IsoCurrencyTable"/> exist: a money amount is always in one of them.
/// </summary>
public sealed class Currency
{
    private Currency(string code, int minorUnits)
    {
        Code = code;
        MinorUnits = minorUnits;
    }

    /// <summary>The three upper-case letters of ISO 4217 (<c>EUR</c>).</summary>
    public string Code { get; }

    /// <summary>How many decimal places an amount in this currency may have.</summary>
    public int MinorUnits { get; }

    private static readonly FrozenDictionary<string, Currency> ByCode =
        IsoCurrencyTable.Entries.ToFrozenDictionary(e => e.Code, e => new Currency(e.Code, e.MinorUnits), StringComparer.Ordinal);

    /// <summary>Every currency Ledger accepts, ordered by code.</summary>
    public static IReadOnlyList<Currency> All { get; } = [.. ByCode.Values.OrderBy(c => c.Code, StringComparer.Ordinal)];

    /// <summary>
    /// Finds an active ISO 4217 currency by its code. The code must be exactly three upper-case letters as
    /// ISO writes it: <c>"eur"</c> is not a currency code.
    /// </summary>
    public static bool TryGet(string? code, [MaybeNullWhen(false)] out Currency currency)
    {
        currency = null;
        return code is not null && ByCode.TryGetValue(code, out currency);
    }

    public override string ToString() => Code;
}
