using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace Ledger.Projections.Model;

/// <summary>
/// A projection's upsert, <c>INSERT INTO t (columns) VALUES ($1, …) ON CONFLICT (keys) DO …</c>, applied to many events
/// in one statement: <c>INSERT INTO t (columns) SELECT u.p1, … FROM unnest($1, …) AS u(p1, …) ON CONFLICT …</c>, one
/// array per parameter. Projections stay declarative (one statement per event); the daemon folds a batch's statements
/// of one shape into this form because the contract lets their order change: they commute. Two rows with the same
/// conflict key cannot go in one statement ("ON CONFLICT DO UPDATE command cannot affect row a second time"), so such
/// rows go in successive statements, waves. A statement of another shape is not rewritten (<see cref="Of"/> is null).
/// </summary>
internal sealed partial class SetBasedUpsert
{
    private static readonly ConcurrentDictionary<string, SetBasedUpsert?> Known = new();

    private readonly string _head;
    private readonly string _columns;
    private readonly string _tail;
    private readonly (int Parameter, string Cast)[] _values;
    private readonly int[] _keyParameters;
    private readonly int _parameterCount;
    private readonly ConcurrentDictionary<string, string> _sqlByNullColumns = new();

    private SetBasedUpsert(string head, string columns, string tail, (int, string)[] values, int[] keyParameters, int parameterCount) =>
        (_head, _columns, _tail, _values, _keyParameters, _parameterCount) = (head, columns, tail, values, keyParameters, parameterCount);

    /// <summary>The set-based form of <paramref name="sql"/> (tables already named for their generation), or null.</summary>
    public static SetBasedUpsert? Of(string sql) => Known.GetOrAdd(sql, Parse);

    /// <summary>
    /// The rows split into waves in which no two rows share a conflict key (indexes into <paramref name="rows"/>), or
    /// null when the rows cannot be sent as arrays: a parameter whose values differ in type, or is itself an array.
    /// </summary>
    public List<List<int>>? Waves(IReadOnlyList<ProjectionStatement> rows)
    {
        if (rows.Any(r => r.Parameters.Count != _parameterCount)) return null;
        for (var p = 0; p < _parameterCount; p++)
            if (ElementType(rows, p) is { } type && (type.IsArray || type == typeof(Mixed))) return null;
        var waves = new List<List<int>>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < rows.Count; i++)
        {
            var key = string.Join('\u001f', _keyParameters.Select(k => KeyText(rows[i].Parameters[k])));
            var wave = seen.GetValueOrDefault(key);
            seen[key] = wave + 1;
            if (wave == waves.Count) waves.Add([]);
            waves[wave].Add(i);
        }
        return waves;
    }

    /// <summary>One statement applying <paramref name="rows"/> (no two sharing a conflict key).</summary>
    public NpgsqlBatchCommand Command(IReadOnlyList<ProjectionStatement> rows)
    {
        var types = Enumerable.Range(0, _parameterCount).Select(p => ElementType(rows, p)).ToArray();
        var nullColumns = new string(types.Select(t => t is null ? 'n' : 'v').ToArray());
        var command = new NpgsqlBatchCommand(_sqlByNullColumns.GetOrAdd(nullColumns, Sql));
        for (var p = 0; p < _parameterCount; p++)
        {
            if (types[p] is not { } type) continue;
            var array = Array.CreateInstance(type.IsValueType ? typeof(Nullable<>).MakeGenericType(type) : type, rows.Count);
            for (var i = 0; i < rows.Count; i++)
                array.SetValue(rows[i].Parameters[p] is DateTimeOffset t ? t.ToUniversalTime() : rows[i].Parameters[p], i);
            command.Parameters.Add(new NpgsqlParameter { Value = array });
        }
        return command;
    }

    // An all-null parameter has no type to make an array of: it becomes a NULL literal, which takes its column's type.
    private string Sql(string nullColumns)
    {
        var arrays = Enumerable.Range(0, _parameterCount).Where(p => nullColumns[p] == 'v').ToList();
        var select = string.Join(", ", _values.Select(v => (nullColumns[v.Parameter] == 'v' ? $"u.p{v.Parameter + 1}" : "NULL") + v.Cast));
        var unnest = string.Join(", ", arrays.Select((p, i) => $"${i + 1}"));
        var names = string.Join(", ", arrays.Select(p => $"p{p + 1}"));
        return new StringBuilder().Append(_head).Append('(').Append(_columns).Append(") SELECT ").Append(select)
            .Append(" FROM unnest(").Append(unnest).Append(") AS u(").Append(names).Append(") ").Append(_tail).ToString();
    }

    private static Type? ElementType(IReadOnlyList<ProjectionStatement> rows, int parameter)
    {
        Type? type = null;
        foreach (var row in rows)
        {
            if (parameter >= row.Parameters.Count || row.Parameters[parameter] is not { } value) continue;
            if (type is null) type = value.GetType();
            else if (type != value.GetType()) return typeof(Mixed);
        }
        return type;
    }

    private static string KeyText(object? value) =>
        value is null ? "\u0000" : value.GetType().Name + ":" + Convert.ToString(value, CultureInfo.InvariantCulture);

    private static SetBasedUpsert? Parse(string sql)
    {
        var shape = Shape().Match(sql);
        if (!shape.Success) return null;
        var columns = shape.Groups["columns"].Value.Split(',', StringSplitOptions.TrimEntries);
        var values = new (int Parameter, string Cast)[columns.Length];
        var items = shape.Groups["values"].Value.Split(',', StringSplitOptions.TrimEntries);
        if (items.Length != columns.Length) return null;
        for (var c = 0; c < items.Length; c++)
        {
            var item = Item().Match(items[c]);
            if (!item.Success) return null;
            values[c] = (int.Parse(item.Groups["n"].Value, CultureInfo.InvariantCulture) - 1, item.Groups["cast"].Value);
        }
        var count = values.Max(v => v.Parameter) + 1;
        if (values.Select(v => v.Parameter).Distinct().Count() != count) return null; // a parameter used outside VALUES
        var keys = new List<int>();
        foreach (var key in shape.Groups["keys"].Value.Split(',', StringSplitOptions.TrimEntries))
        {
            var column = Array.IndexOf(columns, key);
            if (column < 0) return null;
            keys.Add(values[column].Parameter);
        }
        return new SetBasedUpsert(shape.Groups["head"].Value, shape.Groups["columns"].Value, shape.Groups["tail"].Value, values, [.. keys], count);
    }

    // A tail without '$': the conflict action refers to excluded.* and the table, never to a parameter.
    [GeneratedRegex("""^\s*(?<head>INSERT\s+INTO\s+\S+(?:\s+AS\s+\w+)?\s*)\((?<columns>[^()]*)\)\s*VALUES\s*\((?<values>[^()]*)\)\s*(?<tail>ON\s+CONFLICT\s*\((?<keys>[^()]*)\)\s*DO\s[^$]*)$""",
        RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    [GeneratedRegex("""^\$(?<n>[1-9][0-9]*)(?<cast>::\w+)?$""", RegexOptions.CultureInvariant)]
    private static partial Regex Item();

    /// <summary>Stands for a parameter whose values differ in type.</summary>
    private sealed class Mixed;
}
