using System.Diagnostics.Metrics;

namespace Ledger.Application.Invoicing.Stamping;

/// <summary>
/// Stamping's meters (<c>Ledger.Invoicing</c>): the fiscal authority's circuit (0 closed, 1 open, 2 half-open: one
/// probe under way), how often it opened, and the calls withheld while it was open (each such invoice sealed in
/// contingency or left for a later reconciliation).
/// </summary>
public static class StampingMetrics
{
    public const string MeterName = "Ledger.Invoicing";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Opened = Meter.CreateCounter<long>("ledger.fiscal_authority.circuit_opened", "{time}", "Times the fiscal authority's circuit opened");
    private static readonly Counter<long> Withheld = Meter.CreateCounter<long>("ledger.fiscal_authority.calls_withheld", "{call}", "Calls to the fiscal authority not made because its circuit was open");
    private static Func<int>? circuit;

    static StampingMetrics() =>
        Meter.CreateObservableGauge("ledger.fiscal_authority.circuit", () => circuit?.Invoke() ?? 0, "{state}",
            "The fiscal authority's circuit: 0 closed, 1 open, 2 half-open");

    /// <summary>The process's guarded authority reports its circuit through this gauge (one per process).</summary>
    public static void Observe(GuardedFiscalAuthority authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        circuit = () => (int)authority.State;
    }

    internal static void CircuitOpened() => Opened.Add(1);

    internal static void CallWithheld() => Withheld.Add(1);
}
