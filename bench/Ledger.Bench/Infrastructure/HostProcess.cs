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

    private HostProcess(Process process, Uri baseAddress, string token, string logFile)
    {
        this.process = process;
        BaseAddress = baseAddress;
        Token = token;
        LogFile = logFile;
    }

    public Uri BaseAddress { get; }
    public string Token { get; }
    public string LogFile { get; }

    public static string Dll => RepoPaths.Resolve("src/Host/bin/Release/net10.0/ledger.dll");

    /// <summary>Builds the Host in Release; the error text when it does not build.</summary>
    public static async Task<string?> BuildAsync()
    {
        var output = await Machine.Run("dotnet", $"build \"{RepoPaths.Resolve("src/Host")}\" -c Release --nologo -v q", TimeSpan.FromMinutes(10));
        if (File.Exists(Dll) && !output.Contains(" error ", StringComparison.Ordinal)) return null;
        return string.Join(" ", output.Split('\n').Where(l => l.Contains("error", StringComparison.Ordinal)).Distinct().Take(3));
    }

    public static async Task<HostProcess> StartAsync(string schema, string tenant)
    {
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
        };

        // `ledger token` creates the development signing key the server then validates with.
        var tokenRun = Start(environment, $"token --role clerk --tenant {tenant} --ttl-minutes 600", null);
        var token = (await tokenRun.StandardOutput.ReadToEndAsync()).Trim();
        await tokenRun.WaitForExitAsync();
        if (tokenRun.ExitCode != 0 || token.Length == 0)
            throw new InvalidOperationException($"ledger token failed: {await tokenRun.StandardError.ReadToEndAsync()}");

        var logFile = Path.Combine(work.FullName, "host.log");
        var server = Start(environment, "serve", logFile);
        var host = new HostProcess(server, new Uri($"http://127.0.0.1:{port}/"), token, logFile);
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
    }

    private static Process Start(Dictionary<string, string> environment, string arguments, string? logFile)
    {
        // The server's JSON logs go to a file (through the shell), so the bench never spends its own CPU draining them.
        var info = logFile is null
            ? new ProcessStartInfo("dotnet", $"\"{Dll}\" {arguments}") { RedirectStandardOutput = true, RedirectStandardError = true }
            : new ProcessStartInfo("/bin/sh", ["-c", $"exec dotnet \"{Dll}\" {arguments} >\"{logFile}\" 2>&1"]);
        info.UseShellExecute = false;
        info.WorkingDirectory = RepoPaths.Root;
        foreach (var (key, value) in environment) info.Environment[key] = value;
        return Process.Start(info)!;
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
