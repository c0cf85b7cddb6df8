using System.CommandLine;
using System.Globalization;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Keys;
using Ledger.EventStore.Export;
using Ledger.Host.Auditing;
using Ledger.Host.Auth;
using Ledger.Host.Configuration;

namespace Ledger.Host.Cli;

/// <summary>
/// <c>ledger export --tenant acme [--from 1] [--to n] &lt;folder | file.tar | file.tar.gz | file.zip&gt;</c>: a signed export of
/// a tenant's chain (docs/ledger-format.md §9), signed with the checkpoint key of <c>Ledger:Checkpoints</c>.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var tenant = new Option<string>("--tenant") { Description = "The tenant whose chain to export.", Required = true };
        var from = new Option<long>("--from") { Description = "First chain position.", DefaultValueFactory = _ => 1 };
        var to = new Option<long?>("--to") { Description = "Last chain position (default: the head, or the latest checkpoint if further)." };
        var output = new Argument<string>("output") { Description = "An empty or new folder, or a .tar, .tar.gz, .tgz or .zip file to create." };

        var command = new Command("export", "Write a signed export of a tenant's chain.") { tenant, from, to, output };
        command.SetAction(async (parse, ct) =>
        {
            var (tenantId, first, last, path) = (parse.GetRequiredValue(tenant), parse.GetValue(from), parse.GetValue(to), parse.GetRequiredValue(output));
            var error = parse.InvocationConfiguration.Error;
            if (!TokenClaimRules.TenantId().IsMatch(tenantId) || first < 1 || last < first - 1)
            {
                await error.WriteLineAsync("export: --tenant must be a tenant id; --from 1 or more; --to not before --from.");
                return 2;
            }
            var archive = ExportArchive.IsArchivePath(path);
            if (archive ? File.Exists(path) : Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any())
            {
                await error.WriteLineAsync($"export: {path} already exists{(archive ? "" : " and is not empty")}.");
                return 2;
            }

            var configuration = LedgerConfiguration.ForCli(LedgerConfiguration.CliEnvironmentName());
            var options = configuration.GetSection(CheckpointOptions.Section).Get<CheckpointOptions>() ?? new();
            await using var dataSources = LedgerDataSources.Create(configuration);
            var history = new SigningKeyHistory(dataSources.App);
            using var key = await ActiveKeyAsync(options, configuration, history, error, ct);
            if (key is null) return 1;

            var writer = new ExportWriter(dataSources.App, new CheckpointStore(dataSources.App), history, TimeProvider.System);
            var folder = archive ? Directory.CreateTempSubdirectory("ledger-export-").FullName : path;
            ExportManifest manifest;
            try
            {
                var progress = new ProgressLine(error, "export");
                manifest = await writer.WriteAsync(tenantId, first, last, folder, key, progress, ct);
                progress.Finish();
                if (archive) ExportArchive.Pack(folder, path);
            }
            catch (ExportRefusedException e)
            {
                await error.WriteLineAsync("export: " + e.Message);
                return 1;
            }
            finally
            {
                if (archive) Directory.Delete(folder, recursive: true);
            }
            await parse.InvocationConfiguration.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"exported tenant {tenantId}, positions {manifest.From}..{manifest.To}: {manifest.Count} entries, {manifest.CheckpointCount} checkpoints, manifest signed by key {key.Kid}, to {path}"));
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The configured checkpoint key when it is the active one (or becomes the first one); else null, having said why.
    /// An export never creates a key nor supersedes the Host's: that would stop the live signer (issue 12).
    /// </summary>
    private static async Task<CheckpointKey?> ActiveKeyAsync(
        CheckpointOptions options, IConfiguration configuration, SigningKeyHistory history, TextWriter error, CancellationToken ct)
    {
        var path = CheckpointKeyProvider.KeyPath(options, configuration);
        CheckpointKey key;
        try
        {
            key = CheckpointKeyProvider.Load(options, configuration, mayGenerate: false,
                KeyProtectionOptions.Resolve(configuration, LedgerConfiguration.CliEnvironmentName()));
        }
        catch (UnsafeKeyFileException e)
        {
            await error.WriteLineAsync($"export: {e.Message}");
            return null;
        }
        catch (InvalidOperationException e)
        {
            await error.WriteLineAsync($"export: {e.Message} The Host creates the key on its first start; the CLI uses that one ({LedgerDataDirectory.Key}).");
            return null;
        }
        var (registration, active) = await history.RegisterAsync(key, TimeProvider.System.GetUtcNow(), ct);
        if (registration is KeyRegistration.Active or KeyRegistration.Rotated) return key;
        key.Dispose();
        await error.WriteLineAsync(
            $"export: the checkpoint key at {path} is not the active signing key {active}; nothing was exported. Point " +
            $"{LedgerDataDirectory.Key} or {CheckpointOptions.Section}:KeyPath at the Host's key, or rotate explicitly with `ledger checkpoints rotate-key`.");
        return null;
    }
}
