using Ledger.Host.Events;
using Ledger.EventStore.MartenStore;
using System.CommandLine;
using System.Text.Json;
using Ledger.Application;
using Ledger.Application.Audit;
using Ledger.Application.Invoicing.Settings;
using Ledger.EventStore;
using Ledger.Host.Auth;
using Ledger.Host.Configuration;
using Ledger.Host.Errors;

namespace Ledger.Host.Cli;

/// <summary>
/// One <c>ledger invoicing …</c> command: the settings services on the CLI's connection, and the command's audit entry.
/// A change commits in one append with its entry (action <c>cli invoicing …</c>, client user agent <c>ledger-cli</c>), as a
/// request's does through the write path; a refused change records its entry alone, with the status and code the API
/// would have answered. Reads are not audited, as GETs are not.
/// </summary>
internal sealed class InvoicingCliSession : IAsyncDisposable
{
    public const string Origin = "cli";
    public const string UserAgent = "ledger-cli";

    private readonly LedgerDataSources dataSources;
    private readonly AuditedStore store;
    private readonly CliEventStore events;

    private InvoicingCliSession(LedgerDataSources dataSources, string tenantId, string action)
    {
        this.dataSources = dataSources;
        Context = new CommandContext(tenantId, "cli:" + Environment.UserName, TimeProvider.System.GetUtcNow(), Guid.NewGuid().ToString("N"), null, null, Origin);
        events = CliEventStore.Open(dataSources.App, dataSources.Schema);
        store = new AuditedStore(events.Store, Context, action);
        Issuers = new IssuerProfiles(dataSources.App);
        TaxRules = new TaxRuleBook(dataSources.App);
        ExchangeRates = new ExchangeRates(dataSources.App);
        Settings = new InvoicingSettings(store, Issuers, TaxRules, ExchangeRates);
    }

    public CommandContext Context { get; }
    public IssuerProfiles Issuers { get; }
    public TaxRuleBook TaxRules { get; }
    public ExchangeRates ExchangeRates { get; }
    public InvoicingSettings Settings { get; }

    public static JsonSerializerOptions Json => Http.LedgerJson.Options;

    /// <summary>Runs <paramref name="change"/>; on a refusal prints the problem to standard error, audits it and exits 1.</summary>
    public static async Task<int> ChangeAsync(ParseResult parse, string tenant, string action, Func<InvoicingCliSession, Task<object>> change, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(change);
        if (!TokenClaimRules.TenantId().IsMatch(tenant))
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync("--tenant must be letters, digits and . _ - (at most 64).");
            return 2;
        }
        await using var session = Open(tenant, "cli " + action);
        try
        {
            var result = await change(session);
            await parse.InvocationConfiguration.Output.WriteLineAsync(JsonSerializer.Serialize(result, Json));
            return 0;
        }
        catch (Exception e) when (e is ValidationError or Domain.DomainError or ConcurrencyException or JsonException or RequestRejectedException or IOException)
        {
            // A body that cannot be read or parsed is the CLI's malformed request.
            var problem = LedgerExceptionHandler.ToProblem(e is JsonException or IOException ? RequestRejectedException.Malformed(e.Message) : e);
            var code = problem.Extensions.TryGetValue("code", out var c) && c is string s ? s : ProblemCodes.ForStatus(problem.Status ?? 400);
            await parse.InvocationConfiguration.Error.WriteLineAsync(JsonSerializer.Serialize(problem, problem.GetType(), Json));
            await session.store.RecordRefusalAsync(problem.Status ?? 400, code, ct);
            return 1;
        }
    }

    /// <summary>Runs a read and prints its result as JSON.</summary>
    public static async Task<int> ReadAsync(ParseResult parse, string tenant, Func<InvoicingCliSession, Task<object>> read)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(read);
        if (!TokenClaimRules.TenantId().IsMatch(tenant))
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync("--tenant must be letters, digits and . _ - (at most 64).");
            return 2;
        }
        await using var session = Open(tenant, "cli read");
        try
        {
            await parse.InvocationConfiguration.Output.WriteLineAsync(JsonSerializer.Serialize(await read(session), Json));
            return 0;
        }
        catch (Exception e) when (e is ValidationError or Domain.DomainError)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync(JsonSerializer.Serialize(LedgerExceptionHandler.ToProblem(e), LedgerExceptionHandler.ToProblem(e).GetType(), Json));
            return 1;
        }
    }

    /// <summary>The body given inline (<c>--body</c>) or in a file (<c>--file</c>), parsed as the API parses it.</summary>
    public static T Body<T>(string? inline, string? path) where T : class
    {
        var json = (inline, path) switch
        {
            ({ } text, null) => text,
            (null, { } file) => File.ReadAllText(file),
            _ => throw new JsonException("Give the body either with --body or with --file."),
        };
        return JsonSerializer.Deserialize<T>(json, Json) ?? throw new JsonException("The body must be a JSON object.");
    }

    private static InvoicingCliSession Open(string tenant, string action) =>
        new(LedgerDataSources.Create(LedgerConfiguration.ForCli(LedgerConfiguration.CliEnvironmentName())), tenant, action);

    /// <summary>Seals what the session appended into the chain (see <see cref="CliEventStore"/>), then disconnects.</summary>
    public async ValueTask DisposeAsync()
    {
        if (store.Appended) await events.SealAsync(TimeSpan.FromSeconds(30));
        await events.DisposeAsync();
        await dataSources.DisposeAsync();
    }

    /// <summary>Appends each change with the command's audit entry first, in the same append.</summary>
    private sealed class AuditedStore(IEventStore inner, CommandContext context, string action) : IEventStore
    {
        public bool Appended { get; private set; }

        public async Task<AppendResult> AppendAsync(string tenantId, IReadOnlyList<StreamAppend> streams, CancellationToken ct = default)
        {
            var entity = streams[0].StreamId;
            var written = new List<AuditedStream>();
            foreach (var s in streams)
                written.Add(new AuditedStream(s.StreamId, s.Expected.IsAny ? 0 : s.Expected.Value + s.Events.Count));
            var entry = new CommandAuditEntry(action, entity, AuditResult.Success, null, null, written, new AuditClient(null, UserAgent));
            var audit = new StreamAppend(AuditStreams.For(entity), ExpectedVersion.Any, [AuditEventCodec.ToAppend(entry, context)]);
            var result = await inner.AppendAsync(tenantId, [audit, .. streams], ct).ConfigureAwait(false);
            Appended = true;
            return result with { StreamVersions = result.StreamVersions.Where(v => v.Key != audit.StreamId).ToDictionary() };
        }

        public async Task RecordRefusalAsync(int status, string code, CancellationToken ct)
        {
            const string entity = Invoicing.InvoicingSettingsEndpoints.SettingsEntity;
            var entry = new CommandAuditEntry(action, entity, AuditResult.Failure, status, code, null, new AuditClient(null, UserAgent));
            await inner.AppendAsync(context.TenantId,
                [new StreamAppend(AuditStreams.For(entity), ExpectedVersion.Any, [AuditEventCodec.ToAppend(entry, context)])], ct).ConfigureAwait(false);
            Appended = true;
        }

        public Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string tenantId, string streamId, long fromVersion = 1, CancellationToken ct = default) =>
            inner.ReadStreamAsync(tenantId, streamId, fromVersion, ct);

        public Task<IReadOnlyList<RecordedEvent>> ReadAllAsync(GlobalPosition after, int max, CancellationToken ct = default) =>
            inner.ReadAllAsync(after, max, ct);
    }
}
