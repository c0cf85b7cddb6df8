using System.Diagnostics;

namespace Ledger.Messaging.Tests.Infrastructure;

/// <summary>
/// rabbitmqctl against the local test node (scripts/rabbitmq.sh ctl), for tests that cut the broker off. An
/// external broker (LEDGER_RABBITMQ_EXTERNAL=1, see scripts/env.sh) cannot be controlled: those tests are skipped.
/// </summary>
public static class BrokerControl
{
    public static bool Available =>
        Environment.GetEnvironmentVariable("LEDGER_RABBITMQ_EXTERNAL") != "1" && File.Exists(Script);

    private static string Script => Path.Combine(Path.GetDirectoryName(SchemaFiles.Directory)!, "scripts", "rabbitmq.sh");

    public static async Task CtlAsync(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add("ctl");
        start.ArgumentList.Add("-q");
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3)); // rabbitmqctl boots an Erlang VM: slow on a loaded machine
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', args)} failed ({process.ExitCode}): {await output}{await error}");
    }
}

/// <summary>A fact that needs to control the local broker (see <see cref="BrokerControl"/>).</summary>
public sealed class BrokerControlFactAttribute : FactAttribute
{
    public BrokerControlFactAttribute()
    {
        if (!BrokerControl.Available) Skip = "needs the local RabbitMQ node of scripts/rabbitmq.sh (the broker is external)";
    }
}
