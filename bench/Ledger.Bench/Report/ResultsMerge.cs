using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Ledger.Bench.Report;

/// <summary>
/// A run of some scenarios (<c>--only</c>) written into the results file a previous run wrote, instead of over it: the
/// run's rows and detail sections replace those of the same scenarios, every other scenario's stay, and a note under
/// the first line says which scenarios were run again, when and how. Both documents are <see cref="ResultsWriter"/>'s.
/// </summary>
public static partial class ResultsMerge
{
    private const string DetailsHeading = "## Details per scenario";

    /// <summary><paramref name="partial"/>'s scenarios <paramref name="ids"/> merged into <paramref name="previous"/>; null when <paramref name="previous"/> has no results table to merge into.</summary>
    public static string? Merge(string previous, string partial, IReadOnlyCollection<string> ids, string note)
    {
        var old = Parse(previous);
        var run = Parse(partial);
        if (old is null || run is null) return null;

        var rows = old.Rows.Where(r => !ids.Contains(IdOf(RowId(), r))).Concat(run.Rows.Where(r => ids.Contains(IdOf(RowId(), r))));
        var sections = old.Sections.Where(s => !ids.Contains(IdOf(SectionId(), s[0]))).Concat(run.Sections.Where(s => ids.Contains(IdOf(SectionId(), s[0]))));
        // An earlier note about the same scenarios (or some of them only) is superseded by this one.
        var notes = old.Notes.Where(n => NoteIds().Match(n) is not { Success: true } m
            || !m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries).All(ids.Contains)).Append(note);

        var md = new StringBuilder();
        foreach (var line in old.Lines[..(old.HeaderEnd + 1)]) md.AppendLine(line);
        foreach (var line in notes) md.AppendLine().AppendLine(line);
        foreach (var line in old.Lines[old.NotesEnd..(old.TableStart + 2)]) md.AppendLine(line);
        foreach (var row in rows.OrderBy(r => Order(IdOf(RowId(), r)))) md.AppendLine(row);
        foreach (var line in old.Lines[old.TableEnd..(old.DetailsStart + 1)]) md.AppendLine(line);
        md.AppendLine();
        foreach (var section in sections.OrderBy(s => Order(IdOf(SectionId(), s[0]))))
            foreach (var line in section) md.AppendLine(line);
        foreach (var line in old.Lines[old.DetailsEnd..]) md.AppendLine(line);
        return md.ToString().TrimEnd('\n') + "\n";
    }

    /// <summary>The note for a run of <paramref name="ids"/> alone.</summary>
    public static string Note(IReadOnlyCollection<string> ids, string command, TimeSpan elapsed, string loadAtStart, string loadAtEnd)
    {
        var list = string.Join(", ", ids.OrderBy(Order));
        var (noun, verb, its) = ids.Count == 1 ? ("Scenario", "was", "its") : ("Scenarios", "were", "their");
        return string.Create(CultureInfo.InvariantCulture,
            $"{noun} {list} {verb} run again alone afterwards, by `{command}` on {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC in {elapsed.TotalMinutes:0.0} min ") +
            $"(load average at start {loadAtStart}; at end {loadAtEnd}): {its} rows and details are from that run, the rest from the run above.";
    }

    private sealed record Document(string[] Lines, int HeaderEnd, int NotesEnd, int TableStart, int TableEnd, int DetailsStart, int DetailsEnd,
        List<string> Notes, List<string> Rows, List<List<string>> Sections);

    private static Document? Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var header = Array.FindIndex(lines, l => l.StartsWith("Written by ", StringComparison.Ordinal));
        var table = Array.FindIndex(lines, l => l.StartsWith("| scenario |", StringComparison.Ordinal));
        var details = Array.IndexOf(lines, DetailsHeading);
        if (header < 0 || table < 0 || details < 0 || table + 2 > lines.Length) return null;

        // Notes of earlier partial runs: the paragraphs right after the first line that say so.
        var notes = new List<string>();
        var notesEnd = header + 1;
        for (var i = header + 1; i + 1 < lines.Length && lines[i].Length == 0 && NoteIds().IsMatch(lines[i + 1]); i += 2)
        {
            notes.Add(lines[i + 1]);
            notesEnd = i + 2;
        }

        var tableEnd = table + 2;
        while (tableEnd < lines.Length && lines[tableEnd].StartsWith("| ", StringComparison.Ordinal)) tableEnd++;

        var detailsEnd = Array.FindIndex(lines, details + 1, l => l.StartsWith("## ", StringComparison.Ordinal));
        if (detailsEnd < 0) detailsEnd = lines.Length;
        var sections = new List<List<string>>();
        for (var i = details + 1; i < detailsEnd; i++)
        {
            if (lines[i].StartsWith("### ", StringComparison.Ordinal)) sections.Add([]);
            if (sections.Count > 0) sections[^1].Add(lines[i]);
        }
        return new Document(lines, header, notesEnd, table, tableEnd, details, detailsEnd, notes, [.. lines[(table + 2)..tableEnd]], sections);
    }

    private static string IdOf(Regex pattern, string line) => pattern.Match(line) is { Success: true } m ? m.Groups[1].Value : "";

    /// <summary>Scenarios in the order of their numbers (what is not numbered last).</summary>
    private static int Order(string id) => int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : int.MaxValue;

    // "| 9a. Chain designs…" → 9
    [GeneratedRegex(@"^\| (\d+)[a-z]?\. ")]
    private static partial Regex RowId();

    // "### 13. Personal data…" → 13
    [GeneratedRegex(@"^### (\d+)\. ")]
    private static partial Regex SectionId();

    [GeneratedRegex(@"^Scenarios? ([\d, ]+) (?:was|were) run again alone")]
    private static partial Regex NoteIds();
}
