using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Ledger.EventStore.Telemetry;
using Microsoft.Extensions.Options;

namespace Ledger.Host.Observability;

/// <summary>
/// Collects, for <c>/metrics</c>, what this Host's meters measure: ASP.NET Core's (request duration per route and
/// status, active requests, rate limiting) and every Ledger meter (<c>Ledger</c>, <c>Ledger.*</c>: appends, projection
/// lag, outbox backlog, dead letters, stamping…). A meter made by a DI container's <see cref="IMeterFactory"/> is
/// collected only by the Host of that container, so several Hosts in one process (tests) each report their own.
/// </summary>
public sealed class PrometheusCollector : IHostedService, IDisposable
{
    /// <summary>ASP.NET Core's meters that are collected (besides every Ledger meter).</summary>
    public static readonly IReadOnlyList<string> AspNetCoreMeters =
    [
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.AspNetCore.Diagnostics",
    ];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, MetricSeries> _instruments = new();
    private readonly Lock _scrape = new();
    private readonly IMeterFactory _meterFactory;
    private readonly int _maxSeries;

    public PrometheusCollector(IMeterFactory meterFactory, IOptions<TelemetryOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _meterFactory = meterFactory;
        _maxSeries = Math.Max(1, options.Value.MaxSeriesPerInstrument);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!Collects(instrument.Meter) || MetricSeries.For(instrument, _maxSeries) is not { } series) return;
            _instruments[instrument] = series;
            listener.EnableMeasurementEvents(instrument, series);
        };
        _listener.MeasurementsCompleted = (instrument, _) => _instruments.TryRemove(instrument, out MetricSeries? _);
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((MetricSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>((_, value, tags, state) => ((MetricSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((MetricSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((MetricSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>((_, value, tags, state) => ((MetricSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<byte>((_, value, tags, state) => ((MetricSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>((_, value, tags, state) => ((MetricSeries)state!).Record((double)value, tags));
    }

    /// <summary>Is this a Ledger meter (<c>Ledger</c> or <c>Ledger.*</c>)?</summary>
    public static bool IsLedgerMeter(string name) =>
        name == LedgerTelemetry.MeterPrefix || name.StartsWith(LedgerTelemetry.MeterPrefix + ".", StringComparison.Ordinal);

    /// <summary>Observes the observable instruments and renders everything in the Prometheus text format.</summary>
    public string Scrape()
    {
        lock (_scrape)
        {
            foreach (var series in _instruments.Values) series.BeginObservation();
            _listener.RecordObservableInstruments();
            return PrometheusText.Write(_instruments.Values);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener.Start(); // also publishes the instruments created before now
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();

    private bool Collects(Meter meter)
    {
        var ours = meter.Scope is null || ReferenceEquals(meter.Scope, _meterFactory);
        if (IsLedgerMeter(meter.Name)) return ours;
        return ReferenceEquals(meter.Scope, _meterFactory) && AspNetCoreMeters.Contains(meter.Name);
    }
}
