using System.Diagnostics;
using System.Runtime.InteropServices;
using Npgsql;

namespace Ledger.Bench.Infrastructure;

/// <summary>What the figures were measured on: they mean nothing without it.</summary>
public sealed class Machine
{
    /// <summary>PostgreSQL settings that decide write and read speed.</summary>
    private static readonly string[] Settings =
    [
        "shared_buffers", "synchronous_commit", "fsync", "wal_sync_method", "full_page_writes", "wal_buffers",
        "commit_delay", "max_wal_size", "checkpoint_timeout", "work_mem", "effective_io_concurrency", "max_connections", "jit",
    ];

    public List<(string Name, string Value)> Facts { get; } = [];
    public List<string> PgSettings { get; } = [];
    public List<string> Fsync { get; } = [];
    public string LoadAtStart { get; private set; } = "";

    public static async Task<Machine> DescribeAsync(NpgsqlDataSource server, string rabbitMqVersion, int fsyncSeconds)
    {
        var machine = new Machine { LoadAtStart = LoadAverage() };
        machine.Facts.Add(("CPU", $"{Environment.ProcessorCount} cores, {CpuModel()}"));
        machine.Facts.Add(("memory", MemoryTotal()));
        machine.Facts.Add(("OS", RuntimeInformation.OSDescription));
        machine.Facts.Add((".NET", RuntimeInformation.FrameworkDescription));
        await using (var version = server.CreateCommand("SELECT version()"))
            machine.Facts.Add(("PostgreSQL", (string)(await version.ExecuteScalarAsync())!));
        machine.Facts.Add(("RabbitMQ", rabbitMqVersion));
        machine.Facts.Add(("Npgsql", typeof(NpgsqlConnection).Assembly.GetName().Version?.ToString() ?? "?"));

        await using (var settings = server.CreateCommand(
            "SELECT name, setting, coalesce(unit, '') FROM pg_settings WHERE name = ANY($1) ORDER BY name"))
        {
            settings.Parameters.Add(new() { Value = Settings });
            await using var reader = await settings.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                machine.PgSettings.Add($"{reader.GetString(0)}={reader.GetString(1)}{(reader.GetString(2) is { Length: > 0 } u ? " " + u : "")}");
        }
        machine.Fsync.AddRange(await PgTestFsync(server, fsyncSeconds));
        return machine;
    }

    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    /// <summary>
    /// pg_test_fsync on the filesystem of the server's data directory (next to it, never inside), when the
    /// server is local; the sync rate is what caps every commit.
    /// </summary>
    private static async Task<List<string>> PgTestFsync(NpgsqlDataSource server, int seconds)
    {
        var tool = FindPgTool("pg_test_fsync");
        if (tool is null) return ["pg_test_fsync not found"];
        string directory;
        try
        {
            await using var dataDir = server.CreateCommand("SHOW data_directory");
            var data = (string)(await dataDir.ExecuteScalarAsync())!;
            directory = Directory.GetParent(data)?.FullName is { } parent && Directory.Exists(parent) ? parent : Path.GetTempPath();
        }
        catch (PostgresException)
        {
            directory = Path.GetTempPath();
        }
        var file = Path.Combine(directory, $"bench_fsync_{Environment.ProcessId}.tmp");
        var output = await Run(tool, $"-s {seconds} -f {file}", TimeSpan.FromMinutes(3));
        File.Delete(file);
        var lines = output.Split('\n').Select(l => l.TrimEnd())
            .Where(l => l.Contains("ops/sec", StringComparison.Ordinal) || l.EndsWith(':'))
            .Select(l => l.Trim())
            .ToList();
        lines.Insert(0, $"file in {directory}, {seconds} s per test");
        return lines;
    }

    public static string? FindPgTool(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH")?.Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
        if (path is not null) return path;
        return Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin", name)).FirstOrDefault(File.Exists)
            : null;
    }

    public static async Task<string> Run(string fileName, string arguments, TimeSpan timeout)
    {
        using var process = Process.Start(new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }
        return await stdout + await stderr;
    }

    private static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static string MemoryTotal()
    {
        try
        {
            var kb = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal", StringComparison.Ordinal))
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            return $"{long.Parse(kb, System.Globalization.CultureInfo.InvariantCulture) / 1024 / 1024.0:0.0} GiB";
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
