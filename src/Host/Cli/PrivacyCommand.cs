using System.CommandLine;
using System.Text.Json;
using Ledger.Application.Privacy;
using Ledger.EventStore.Keys;
using Ledger.EventStore.Privacy;
using Ledger.Host.Configuration;
using Ledger.Host.Privacy;

namespace Ledger.Host.Cli;

/// <summary>
/// <c>ledger erase --tenant T --subject S</c>: a data subject's erasure, as <c>POST /api/data-subjects/{id}/erasure</c>
/// does it (the same handler, audited as <c>cli erase</c>), printing its report as JSON. And <c>ledger privacy
/// status|rewrap|new-master-key</c>: the master key's rotation without downtime (docs/privacy.md).
/// </summary>
internal static class PrivacyCommand
{
    public static IEnumerable<Command> Create() => [Erase(), Privacy()];

    private static Command Erase()
    {
        var tenant = new Option<string>("--tenant") { Description = "The tenant the subject belongs to.", Required = true };
        var subject = new Option<string>("--subject") { Description = "The data subject's id (the customer id of its orders and invoices).", Required = true };
        var command = new Command("erase", "Erase a data subject's personal data (crypto-shredding: its key is destroyed).") { tenant, subject };
        command.SetAction((parse, ct) =>
        {
            var subjectId = parse.GetRequiredValue(subject);
            return InvoicingCliSession.ChangeAsync(parse, parse.GetRequiredValue(tenant), "erase", async s =>
            {
                var entity = EraseDataSubject.Entity(subjectId);
                var report = await s.RunAsync(entity, (session, journal, t) =>
                    DataSubjectErasure.Handle(new EraseDataSubject(subjectId, s.Context), session, journal, [new IdempotencyKeysHolder()], t), ct);
                return ErasureView.From(report);
            }, ct, EraseDataSubject.Entity(subjectId));
        });
        return command;
    }

    private static Command Privacy()
    {
        var command = new Command("privacy", "The master key that wraps data subjects' keys.");
        var status = new Command("status", "How many subject keys each master key wraps, and how many were erased.");
        status.SetAction((parse, ct) => RunAsync(parse, async (configuration, dataSources, output) =>
        {
            var ring = Ring(configuration);
            var (live, erased) = await SubjectKeys.CountAsync(dataSources.App, ct);
            output.WriteLine(JsonSerializer.Serialize(new
            {
                current_master_kid = ring.CurrentKid,
                configured_master_kids = ring.Kids,
                live_keys_by_master_kid = live,
                erased_keys = erased,
                unwrappable = live.Keys.Where(k => !ring.Kids.Contains(k)).ToList(),
            }, Http.LedgerJson.Options));
            return 0;
        }));
        var batch = new Option<int>("--batch") { Description = "Keys re-wrapped per transaction.", DefaultValueFactory = _ => 500 };
        var rewrap = new Command("rewrap", "Re-wrap every subject key under the current master key (the retired ones must still be configured).") { batch };
        rewrap.SetAction((parse, ct) => RunAsync(parse, async (configuration, dataSources, output) =>
        {
            var keys = new SubjectKeys(Ring(configuration));
            var count = await keys.RewrapAsync(dataSources.App, Math.Max(1, parse.GetValue(batch)), ct);
            output.WriteLine($"re-wrapped {count} subject keys under master key {keys.MasterKeys.CurrentKid}");
            return 0;
        }));
        var output = new Option<string>("--out") { Description = "The file to write the new key to (owner-only; never replaced).", Required = true };
        var create = new Command("new-master-key", "Write a new random master key to a file (encrypted under the keys' passphrase when one is configured), for a rotation.") { output };
        create.SetAction((parse, _) =>
        {
            var path = Path.GetFullPath(parse.GetRequiredValue(output));
            if (File.Exists(path))
            {
                parse.InvocationConfiguration.Error.WriteLine($"privacy new-master-key: {path} exists; a key file is never replaced.");
                return Task.FromResult(1);
            }
            var key = MasterKeyRing.NewKey();
            SecretKeyFile.Write(path, key, Protection());
            parse.InvocationConfiguration.Output.WriteLine($"wrote {path} (master key {MasterKeyRing.KidOf(MasterKeyRing.Parse(key, path))})");
            return Task.FromResult(0);
        });
        command.Subcommands.Add(status);
        command.Subcommands.Add(rewrap);
        command.Subcommands.Add(create);
        return command;
    }

    private static KeyProtection Protection() =>
        KeyProtectionOptions.Resolve(LedgerConfiguration.ForCli(LedgerConfiguration.CliEnvironmentName()), LedgerConfiguration.CliEnvironmentName());

    private static MasterKeyRing Ring(IConfiguration configuration) =>
        PrivacyOptions.Load(configuration, mayGenerate: false, KeyProtectionOptions.Resolve(configuration, LedgerConfiguration.CliEnvironmentName()));

    private static async Task<int> RunAsync(ParseResult parse, Func<IConfiguration, LedgerDataSources, TextWriter, Task<int>> run)
    {
        try
        {
            var configuration = LedgerConfiguration.ForCli(LedgerConfiguration.CliEnvironmentName());
            await using var dataSources = LedgerDataSources.Create(configuration);
            return await run(configuration, dataSources, parse.InvocationConfiguration.Output);
        }
        catch (Exception e) when (e is UnsafeKeyFileException or MasterKeyMissingException)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync($"privacy: {e.Message}");
            return 1;
        }
    }
}
