using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Ledger.Bench.Infrastructure;

/// <summary>
/// The Ledger Host (src/Host, Release build) started as its own process on 127.0.0.1, with the environment
/// scripts/env.sh's ledger_app_env gives it, on a schema and a signing key of the bench's own.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process process;

    private HostProcess(Process process, Uri baseAddress, IReadOnlyList<string> tokens, string logFile, string exchange)
    {
        this.process = process;
        BaseAddress = baseAddress;
        Tokens = tokens;
        LogFile = logFile;
        Exchange = exchange;
    }

    public Uri BaseAddress { get; }
    /// <summary>The Host's process (the dotnet process itself: the shell that started it exec'd it).</summary>
    public int ProcessId => process.Id;
    /// <summary>A clerk's token per tenant, in the order the tenants were given.</summary>
    public IReadOnlyList<string> Tokens { get; }
    public string LogFile { get; }
    /// <summary>The exchange the Host's relay publishes to: the bench's own, deleted afterwards.</summary>
    public string Exchange { get; }

    /// <summary>
    /// The rate limits of a load test: the limiter stays on (its cost is part of what is measured), with budgets no
    /// bench run can spend, so every request is measured instead of refused with a 429. Production keeps its defaults.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> LoadTestRateLimits = new Dictionary<string, string>
    {
        ["Ledger__RateLimits__PerClientAddress__PermitLimit"] = "1000000",
        ["Ledger__RateLimits__PerClientAddress__WindowSeconds"] = "1",
        ["Ledger__RateLimits__PerTenant__PermitLimit"] = "1000000",
        ["Ledger__RateLimits__PerTenant__WindowSeconds"] = "1",
    };

    /// <summary>What <see cref="LoadTestRateLimits"/> sets, for the results' notes.</summary>
    public static string LoadTestRateLimitsText =>
        "rate limiter on, PerClientAddress and PerTenant at 1,000,000 requests per 1 s window (Ledger:RateLimits:*)";

    public static string Dll => RepoPaths.Resolve("src/Host/bin/Release/net10.0/ledger.dll");

    /// <summary>Builds the Host in Release; the error text when it does not build.</summary>
    public static async Task<string?> BuildAsync()
    {
        var output = await Machine.Run("dotnet", $"build \"{RepoPaths.Resolve("src/Host")}\" -c Release --nologo -v q", TimeSpan.FromMinutes(10));
        if (File.Exists(Dll) && !output.Contains(" error ", StringComparison.Ordinal)) return null;
        return string.Join(" ", output.Split('\n').Where(l => l.Contains("error", StringComparison.Ordinal)).Distinct().Take(3));
    }

    /// <param name="settings">More configuration for this Host (environment variables, <c>__</c> for <c>:</c>).</param>
    public static async Task<HostProcess> StartAsync(string schema, IReadOnlyList<string> tenants, IReadOnlyDictionary<string, string>? settings = null)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var work = Directory.CreateTempSubdirectory("ledger-bench-host-");
        var port = FreePort();
        var admin = new NpgsqlConnectionStringBuilder(Scenarios.BenchConnection.Admin);
        var app = new NpgsqlConnectionStringBuilder(Scenarios.BenchConnection.Admin)
        {
            Username = BenchDatabase.AppRole, Password = BenchDatabase.AppPassword,
        };
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__LedgerAdmin"] = admin.ConnectionString,
            ["ConnectionStrings__Ledger"] = app.ConnectionString,
            ["ConnectionStrings__RabbitMq"] = Broker.Uri.ToString(),
            ["Ledger__Database__Schema"] = schema,
            ["Ledger__Database__EnsureAppRole"] = "true",
            ["Ledger__Auth__SigningKeyPath"] = Path.Combine(work.FullName, "signing-key.pem"),
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            // The relay publishes to an exchange of the bench's own (nobody else's consumers see these orders), and
            // the Host consumes nothing: no inbound messages in this scenario, and no queues left behind.
            ["Ledger__Messaging__Exchange"] = $"bench.host.{suffix}",
            ["Ledger__Messaging__QueuePrefix"] = $"bench.host.{suffix}.",
            ["Ledger__Messaging__Consumers__Enabled"] = "false",
        };
        foreach (var (key, value) in LoadTestRateLimits) environment[key] = value;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;

        // `ledger token` creates the development signing key the server then validates with (the first run makes it).
        var tokens = new List<string> { await TokenAsync(environment, tenants[0]) };
        tokens.AddRange(await Task.WhenAll(tenants.Skip(1).Select(t => TokenAsync(environment, t))));

        var logFile = Path.Combine(work.FullName, "host.log");
        var server = Start(environment, "serve", logFile);
        var host = new HostProcess(server, new Uri($"http://127.0.0.1:{port}/"), tokens, logFile, $"bench.host.{suffix}");
        using var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.GetTimestamp() + 120 * Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (server.HasExited)
                throw new InvalidOperationException($"the Host exited ({server.ExitCode}); its log: {Tail(logFile)}");
            try
            {
                if ((await http.GetAsync(new Uri("health/ready", UriKind.Relative))).StatusCode == HttpStatusCode.OK) return host;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(250);
        }
        await host.DisposeAsync();
        throw new TimeoutException($"the Host was not ready within 120 s; its log: {Tail(logFile)}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        try
        {
            await using var connection = await Broker.ConnectAsync("ledger-bench-host-cleanup");
            await using var channel = await connection.CreateChannelAsync();
            await channel.ExchangeDeleteAsync(Exchange);
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.RabbitMQClientException or IOException)
        {
            Console.Error.WriteLine($"bench: could not delete exchange {Exchange}: {e.Message}");
        }
    }

    private static async Task<string> TokenAsync(Dictionary<string, string> environment, string tenant)
    {
        var run = Start(environment, $"token --role clerk --tenant {tenant} --ttl-minutes 600", null);
        var token = (await run.StandardOutput.ReadToEndAsync()).Trim();
        await run.WaitForExitAsync();
        if (run.ExitCode != 0 || token.Length == 0)
            throw new InvalidOperationException($"ledger token failed: {await run.StandardError.ReadToEndAsync()}");
        return token;
    }

    private static Process Start(Dictionary<string, string> environment, string arguments, string? logFile)
    {
        // The server's JSON logs go to a file (through the shell), so the bench never spends its own CPU draining them.
        var info = logFile is null
            ? new ProcessStartInfo("dotnet", $"\"{Dll}\" {arguments}") { RedirectStandardOutput = true, RedirectStandardError = true }
            : new ProcessStartInfo("/bin/sh", ["-c", $"exec {ShellDropped(environment)}dotnet \"{Dll}\" {arguments} >\"{logFile}\" 2>&1"]);
        info.UseShellExecute = false;
        info.WorkingDirectory = RepoPaths.Root;
        foreach (var (key, value) in environment) info.Environment[key] = value;
        return Process.Start(info)!;
    }

    /// <summary>
    /// <c>env 'NAME=value' …</c> for the variables whose names are not shell identifiers (a Serilog override names a
    /// class: <c>…__Override__Serilog.AspNetCore.RequestLoggingMiddleware</c>): the shell would not pass those on.
    /// </summary>
    private static string ShellDropped(Dictionary<string, string> environment)
    {
        var dropped = environment.Where(e => !e.Key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            .Select(e => "'" + (e.Key + "=" + e.Value).Replace("'", "'\\''", StringComparison.Ordinal) + "' ").ToList();
        return dropped.Count == 0 ? "" : "env " + string.Concat(dropped);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string Tail(string file)
    {
        try
        {
            return string.Join(" / ", File.ReadLines(file).TakeLast(5));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }
}
