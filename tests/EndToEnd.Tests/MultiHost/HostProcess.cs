using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ledger.EndToEnd.Tests.MultiHost;

/// <summary>
/// A real Host process: <c>dotnet src/Host/bin/&lt;cfg&gt;/net10.0/ledger.dll serve</c> on a loopback port of its own, with
/// the environment the scripts give it (scripts/env.sh) plus the test's settings. Its output is kept to explain a
/// failure. Stopped with SIGTERM (graceful) or SIGKILL (a crash); disposing kills what is still running.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HostProcess(string name, int port, Process process)
    {
        Name = name;
        Port = port;
        _process = process;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Name { get; }

    public int Port { get; }

    public int Pid => _process.Id;

    public HttpClient Client { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public static HostProcess Start(string name, IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = HostDirectory(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(HostDirectory(), "ledger.dll"));
        start.ArgumentList.Add("serve");
        // What the scripts set for a local Host (scripts/env.sh ledger_app_env), then the test's own settings.
        start.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var host = new HostProcess(name, port, process);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"{Name} exited with {_process.ExitCode} before it was ready:\n{Tail()}");
            try
            {
                using var response = await Client.GetAsync("/health/ready");
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{Name} was not ready within {timeout}:\n{Tail()}");
            await Task.Delay(100);
        }
    }

    /// <summary>SIGTERM: what an orchestrator sends to stop a container.</summary>
    public void Terminate()
    {
        if (_process.HasExited) return;
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        if (kill.ExitCode != 0 && !_process.HasExited) throw new InvalidOperationException($"kill -TERM {_process.Id} failed");
    }

    /// <summary>SIGKILL: the process dies at once, mid-whatever, as in a crash.</summary>
    public void Crash() => _process.Kill(entireProcessTree: true);

    public async Task<bool> WaitExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Does the port still accept connections?</summary>
    public async Task<bool> AcceptsConnectionsAsync()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.ConnectAsync(IPAddress.Loopback, Port, cancel.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    public string Tail(int lines = 60)
    {
        var all = Output.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await WaitExitAsync(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
    }

    /// <summary>The Host's build output next to this test's (same configuration), as <c>make build</c> leaves it.</summary>
    public static string HostDirectory()
    {
        var testDirectory = new DirectoryInfo(AppContext.BaseDirectory); // tests/EndToEnd.Tests/bin/<cfg>/net10.0/
        var configuration = testDirectory.Parent!.Name;
        var directory = Path.Combine(Hardening.OpenApiDocumentTests.RepositoryRoot(), "src", "Host", "bin", configuration, "net10.0");
        if (!File.Exists(Path.Combine(directory, "ledger.dll")))
            throw new FileNotFoundException($"Build the Host first: {directory}/ledger.dll is missing.");
        return directory;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.Append(line).Append('\n');
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
