using System.Diagnostics;
using Ledger.Host.Auditing;
using Ledger.Host.Configuration;
using Microsoft.Extensions.Configuration;

namespace Ledger.EndToEnd.Tests.Auditing;

/// <summary>
/// Runtime files (the checkpoint key) have one absolute place, outside src/, for the Host and the CLI alike: the Host
/// under <c>make run</c> runs in src/Host, and a key written there made <c>./ledger</c> rebuild the Host (issue 12).
/// </summary>
public sealed class RuntimePathTests
{
    private static readonly string Src = Path.Combine(RepoRoot(), "src") + Path.DirectorySeparatorChar;

    [Fact]
    public void The_default_key_path_is_absolute_and_independent_of_the_working_directory()
    {
        var configuration = new ConfigurationBuilder().Build();
        var path = CheckpointKeyProvider.KeyPath(new CheckpointOptions(), configuration);

        Path.IsPathFullyQualified(path).ShouldBeTrue(path);
        path.ShouldBe(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "ledger", "keys", "checkpoint-key.pem"));
        path.ShouldNotStartWith(Environment.CurrentDirectory);
        path.ShouldNotStartWith(Src);
    }

    [Fact]
    public void A_relative_key_path_is_under_the_data_directory_and_a_relative_data_directory_is_refused()
    {
        var data = Path.Combine(Path.GetTempPath(), "ledger-data");
        var configured = new ConfigurationBuilder().AddInMemoryCollection([new(LedgerDataDirectory.Key, data)]).Build();
        CheckpointKeyProvider.KeyPath(new CheckpointOptions { KeyPath = "k/key.pem" }, configured).ShouldBe(Path.Combine(data, "k", "key.pem"));

        var relative = new ConfigurationBuilder().AddInMemoryCollection([new(LedgerDataDirectory.Key, ".ledger")]).Build();
        Should.Throw<InvalidOperationException>(() => CheckpointKeyProvider.KeyPath(new CheckpointOptions(), relative)).Message.ShouldContain("absolute");
    }

    [Fact]
    public async Task Make_run_and_the_ledger_script_keep_their_runtime_files_in_the_checkout_outside_src()
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.Combine(RepoRoot(), "src", "Host") };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("source ../../scripts/env.sh && ledger_app_env && echo \"$Ledger__DataDirectory\"");
        foreach (var name in new[] { "Ledger__DataDirectory", "Ledger__Auth__SigningKeyPath", "Ledger__Checkpoints__KeyPath" }) start.Environment.Remove(name);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        process.ExitCode.ShouldBe(0, await process.StandardError.ReadToEndAsync());
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(1, output);
        lines[0].ShouldBe(Path.Combine(RepoRoot(), ".ledger"));
    }

    [Fact]
    public void The_dev_token_key_is_under_the_data_directory_whatever_the_working_directory()
    {
        var data = Path.Combine(Path.GetTempPath(), "ledger-data-" + Guid.NewGuid().ToString("N"));
        var configured = new ConfigurationBuilder().AddInMemoryCollection([new(LedgerDataDirectory.Key, data)]).Build();
        try
        {
            using var keys = Ledger.Host.Auth.SigningKeyFiles.Load(new Ledger.Host.Configuration.LedgerAuthOptions(), configured, isDevelopment: true);

            File.Exists(Path.Combine(data, "keys", "dev-signing-key.pem")).ShouldBeTrue();
            File.Exists(Path.Combine(Environment.CurrentDirectory, "keys", "dev-signing-key.pem")).ShouldBeFalse();
        }
        finally
        {
            if (Directory.Exists(data)) Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public void The_shipped_settings_put_the_dev_token_key_directly_under_the_data_directory()
    {
        var data = Path.Combine(Path.GetTempPath(), "ledger-data");
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(RepoRoot(), "src", "Host", "appsettings.json"))
            .AddJsonFile(Path.Combine(RepoRoot(), "src", "Host", "appsettings.Development.json"))
            .AddInMemoryCollection([new(LedgerDataDirectory.Key, data)])
            .Build();
        var auth = configuration.GetSection(Ledger.Host.Configuration.LedgerAuthOptions.Section).Get<Ledger.Host.Configuration.LedgerAuthOptions>()!;

        LedgerDataDirectory.ResolvePath(configuration, auth.SigningKeyPath).ShouldBe(Path.Combine(data, "keys", "dev-signing-key.pem"));
        CheckpointKeyProvider.KeyPath(configuration.GetSection(CheckpointOptions.Section).Get<CheckpointOptions>() ?? new(), configuration)
            .ShouldBe(Path.Combine(data, "keys", "checkpoint-key.pem"));
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ledger.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("repository root not found");
    }
}
