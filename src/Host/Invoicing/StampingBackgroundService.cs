using Ledger.Application.Invoicing.Stamping;
using Microsoft.Extensions.Options;

namespace Ledger.Host.Invoicing;

/// <summary>Runs the stamping worker for the life of the process (when <see cref="InvoicingOptions.StampingWorker"/> is on).</summary>
internal sealed class StampingBackgroundService(StampingWorker worker, IOptions<InvoicingOptions> options) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        options.Value.StampingWorker ? worker.RunAsync(stoppingToken) : Task.CompletedTask;
}
