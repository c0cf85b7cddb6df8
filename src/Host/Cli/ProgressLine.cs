using System.Diagnostics;
using System.Globalization;
using Ledger.EventStore.Export;

namespace Ledger.Host.Cli;

/// <summary>
/// A one-line progress report on standard error for long work (export, verify), redrawn in place at most four times a
/// second, so standard output keeps only the result. <see cref="Finish"/> ends the line once something was drawn.
/// </summary>
internal sealed class ProgressLine(TextWriter error, string what) : IProgress<ExportProgress>
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _drawn = TimeSpan.FromSeconds(-1);
    private bool _any;

    public void Report(long position, long end, long entries)
    {
        if (_clock.Elapsed - _drawn < TimeSpan.FromMilliseconds(250) && position < end) return;
        _drawn = _clock.Elapsed;
        _any = true;
        var rate = entries / Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
        error.Write(string.Create(CultureInfo.InvariantCulture, $"\r{what}: position {position}/{end}, {entries} entries, {rate:F0} entries/s   "));
    }

    /// <summary>Reported synchronously, in order, before the export returns (unlike <see cref="Progress{T}"/>).</summary>
    void IProgress<ExportProgress>.Report(ExportProgress value) => Report(value.Position, value.End, value.Entries);

    public void Finish()
    {
        if (_any) error.WriteLine();
    }
}
