using System.CommandLine;
using System.Globalization;
using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Witnesses;
using Ledger.Host.Auditing;
using Ledger.Host.Configuration;

namespace Ledger.Host.Cli;

/// <summary>
/// <c>ledger verify --tenant acme [--jwks keys.json|URL] [--checkpoint held.jws …]</c>: the auditor API's walk
/// (<see cref="SignedChainVerifier"/>) over a tenant's stored chain: every hash and link, every signed checkpoint, the
/// tail against the head row and the latest checkpoint. With <c>--jwks</c> checkpoints are checked against the auditor's
/// key set instead of the stored history; each <c>--checkpoint</c> file holds checkpoint JWSs kept from earlier, one per
/// line, which the chain must reach too. Exit 0 when it verifies, 1 when it does not, 2 when an input cannot be read.
/// </summary>
internal static class VerifyCommand
{
    private const long EntriesPerStep = 100_000;

    public static Command Create()
    {
        var tenant = new Option<string>("--tenant") { Description = "The tenant whose chain to verify.", Required = true };
        var from = new Option<long>("--from") { Description = "First chain position.", DefaultValueFactory = _ => 1 };
        var to = new Option<long?>("--to") { Description = "Last chain position (default: the head, or the furthest checkpoint if further)." };
        var jwks = new Option<string?>("--jwks")
        {
            Description = "The key set to trust: a file or an http(s) URL (GET /api/ledger/jwks, kept by the auditor). Default: the key history in the database.",
        };
        var held = new Option<string[]>("--checkpoint")
        {
            Description = "A file of checkpoint JWSs kept from earlier, one per line, that the chain must agree with too; repeatable.",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };

        var witness = new Option<string[]>("--witness")
        {
            Description = "A witness directory (Ledger:Witnesses:Directory, or a copy of it): every checkpoint and note it holds for the tenant must verify and agree with the database; repeatable.",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };

        var command = new Command("verify", "Verify a tenant's hash chain and signed checkpoints, as the auditor API does.") { tenant, from, to, jwks, held, witness };
        command.SetAction(async (parse, ct) =>
        {
            var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            if (parse.GetValue(from) < 1 || parse.GetValue(to) is { } last && last < parse.GetValue(from) - 1)
            {
                await error.WriteLineAsync("verify: --from 1 or more; --to not before --from.");
                return 2;
            }
            AuditorEvidence evidence;
            try
            {
                evidence = new(parse.GetValue(jwks) is { } source ? LedgerKeySet.Parse(await ReadAsync(source, ct)) : null,
                    await HeldCheckpointsAsync(parse.GetValue(held) ?? [], ct));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or HttpRequestException)
            {
                await error.WriteLineAsync("verify: " + e.Message);
                return 2;
            }

            var configuration = LedgerConfiguration.ForCli(LedgerConfiguration.CliEnvironmentName());
            await using var dataSources = LedgerDataSources.Create(configuration);
            var verifier = new SignedChainVerifier(dataSources.App, new SigningKeyHistory(dataSources.App), new CheckpointStore(dataSources.App));
            var tenantId = parse.GetRequiredValue(tenant);
            IReadOnlyList<WitnessReport> witnessed;
            try
            {
                witnessed = await WitnessReportsAsync(parse.GetValue(witness) ?? [], tenantId, evidence.TrustedKeys ?? await new SigningKeyHistory(dataSources.App).ReadAsync(ct),
                    configuration.GetSection(CheckpointOptions.Section).Get<CheckpointOptions>()?.Origin ?? new CheckpointOptions().Origin, dataSources, ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                await error.WriteLineAsync("verify: " + e.Message);
                return 2;
            }
            // What the witnesses hold are checkpoints the chain must reach too, as --checkpoint files are.
            evidence = evidence with { HeldCheckpoints = [.. evidence.HeldCheckpoints, .. witnessed.SelectMany(w => w.Jws)] };
            var step = await verifier.StepAsync(tenantId, parse.GetValue(from), parse.GetValue(to), null, EntriesPerStep, evidence, ct);
            var progress = new ProgressLine(error, $"verify {tenantId}");
            while (step.Status == VerificationStatus.InProgress)
            {
                progress.Report(step.VerifiedThrough, step.To, step.EntriesChecked);
                step = await verifier.StepAsync(tenantId, step.From, step.To, step.Cursor, EntriesPerStep, evidence, ct);
            }
            progress.Finish();

            await output.WriteLineAsync(evidence.TrustedKeys is null
                ? "keys: the key history in the database (pass --jwks with the key set you kept to trust your own copy)"
                : "keys: the key set given with --jwks");
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"tenant {tenantId}: {step.EntriesChecked} entries checked, verified {step.From}..{step.VerifiedThrough}, {step.CheckpointsReached} checkpoints reached, head hash {Convert.ToHexStringLower(step.LastChainHash)}{(step.TreeRoot is { } root ? $", tree root {Convert.ToHexStringLower(root)}" : "")}"));
            foreach (var report in witnessed)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"witness {report.Witness}: {report.Checkpoints} checkpoints and {report.Notes} notes held for tenant {tenantId}, {report.Findings.Count} disagreeing"));
                foreach (var finding in report.Findings)
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"FAIL witness {report.Witness} {finding.Reason.Code()} at {finding.Position} file {Path.GetFileName(finding.File)}: {finding.Detail}"));
            }
            var witnessFailures = witnessed.Sum(w => w.Findings.Count);
            if (step.Failure is not { } failure)
            {
                if (witnessFailures > 0)
                {
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"FAILED verified {step.From}..{step.To}, but {witnessFailures} witnessed checkpoints or notes disagree"));
                    return 1;
                }
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"OK verified {step.From}..{step.To}"));
                return 0;
            }
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"FAIL {failure.Reason.Code()} at {failure.Position}: {failure.Detail}"));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"FAILED verified through {step.VerifiedThrough}"));
            return 1;
        });
        return command;
    }

    /// <summary>
    /// Each witness's holdings for the tenant, checked against the database. Only directories can be read back: a
    /// c2sp.org/tlog-witness serves no history (it cosigns and remembers one size), so a URL is refused.
    /// </summary>
    private static async Task<IReadOnlyList<WitnessReport>> WitnessReportsAsync(
        IEnumerable<string> witnesses, string tenantId, LedgerKeySet keys, string keyName, LedgerDataSources dataSources, CancellationToken ct)
    {
        var reports = new List<WitnessReport>();
        var check = new WitnessedChainCheck(dataSources.App);
        foreach (var witness in witnesses)
        {
            if (Uri.TryCreate(witness, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                throw new NotSupportedException($"--witness {witness}: only a witness directory can be read back (an HTTP tlog-witness keeps no checkpoints to list)");
            reports.Add(await check.CheckDirectoryAsync(Path.GetFullPath(witness), tenantId, keys, keyName, ct));
        }
        return reports;
    }

    private static async Task<byte[]> ReadAsync(string source, CancellationToken ct)
    {
        if (!Uri.TryCreate(source, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return await File.ReadAllBytesAsync(source, ct);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        return await http.GetByteArrayAsync(uri, ct);
    }

    private static async Task<IReadOnlyList<string>> HeldCheckpointsAsync(IEnumerable<string> files, CancellationToken ct)
    {
        var held = new List<string>();
        foreach (var file in files)
            held.AddRange((await File.ReadAllLinesAsync(file, ct)).Select(l => l.Trim()).Where(l => l.Length > 0));
        return held;
    }
}
