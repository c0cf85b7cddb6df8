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
using Ledger.Host.WritePath;
using Marten;

namespace Ledger.Host.Cli;

/// <summary>
/// One <c>ledger invoicing …</c> (or <c>ledger erase</c>) command: the settings services on the CLI's connection, and the command's audit entry.
/// A change runs the handlers' code (<see cref="InvoicingSettings"/>) on a Marten session and commits with its entry
/// (action <c>cli invoicing …</c>, client user agent <c>ledger-cli</c>), which the CLI's journal stages as a request's
/// write path does; a refused change records its entry alone, with the status and code the API would have answered.
/// Reads are not audited, as GETs are not. (No Wolverine here: the CLI runs no message bus, and needs none for a
/// command it runs itself.)
/// </summary>
internal sealed class InvoicingCliSession : IAsyncDisposable
{
    public const string Origin = "cli";
    public const string UserAgent = "ledger-cli";

    private readonly LedgerDataSources dataSources;
    private readonly CliEventStore events;
    private readonly string action;
    private bool appended;

    private InvoicingCliSession(LedgerDataSources dataSources, string tenantId, string action)
    {
        this.dataSources = dataSources;
        Context = new CommandContext(tenantId, "cli:" + Environment.UserName, TimeProvider.System.GetUtcNow(), Guid.NewGuid().ToString("N"), null, null, Origin);
        this.action = action;
        events = CliEventStore.Open(dataSources.App, dataSources.Schema);
        Issuers = new IssuerProfiles(dataSources.App);
        TaxRules = new TaxRuleBook(dataSources.App);
        ExchangeRates = new ExchangeRates(dataSources.App);
        Settings = new InvoicingSettings(events.Store, Issuers, TaxRules, ExchangeRates);
    }

    public CommandContext Context { get; }
    public IssuerProfiles Issuers { get; }
    public TaxRuleBook TaxRules { get; }
    public ExchangeRates ExchangeRates { get; }
    public InvoicingSettings Settings { get; }

    public static JsonSerializerOptions Json => Http.LedgerJson.Options;

    /// <summary>Runs <paramref name="change"/>; on a refusal prints the problem to standard error, audits it and exits 1.</summary>
    public static async Task<int> ChangeAsync(ParseResult parse, string tenant, string action, Func<InvoicingCliSession, Task<object>> change, CancellationToken ct,
        string refusedEntity = Invoicing.InvoicingSettingsEndpoints.SettingsEntity)
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
            await session.RecordRefusalAsync(refusedEntity, problem.Status ?? 400, code, ct);
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

    /// <summary>The version of a settings stream of the tenant: its ETag.</summary>
    public async Task<long> VersionOfAsync(string stream, CancellationToken ct)
    {
        await using var session = events.Documents.QuerySession(Context.TenantId);
        return await InvoicingSettings.VersionOfAsync(session, stream, ct);
    }

    /// <summary>
    /// Runs a change on a session of the tenant, journaled by the CLI (<see cref="CliJournal"/>), and commits it. A race
    /// lost to another writer of <paramref name="stream"/> is the API's conflict (409): the operator runs it again.
    /// </summary>
    public async Task<T> RunAsync<T>(string stream, Func<IDocumentSession, ICommandJournal, CancellationToken, Task<T>> change, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        await using var session = events.Documents.LightweightSession(Context.TenantId);
        var journal = new CliJournal(this);
        var result = await change(session, journal, ct);
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (Exception e) when (LedgerMarten.IsConflict(e))
        {
            throw new ConcurrencyException(Context.TenantId, stream, ExpectedVersion.Any, await VersionOfAsync(stream, ct));
        }
        appended |= journal.Recorded;
        return result;
    }

    private async Task RecordRefusalAsync(string entity, int status, string code, CancellationToken ct)
    {
        var entry = new CommandAuditEntry(action, entity, AuditResult.Failure, status, code, null, new AuditClient(null, UserAgent));
        await WriteTransaction.AppendAuditEntryAsync(dataSources.App, dataSources.Schema, events.Store, Context.TenantId, entity,
            AuditEventCodec.ToAppend(entry, Context), ct);
        appended = true;
    }

    /// <summary>Seals what the session appended into the chain (see <see cref="CliEventStore"/>), then disconnects.</summary>
    public async ValueTask DisposeAsync()
    {
        if (appended) await events.SealAsync(TimeSpan.FromSeconds(30));
        await events.DisposeAsync();
        await dataSources.DisposeAsync();
    }

    /// <summary>
    /// The CLI's command journal: on the change's session, locks the entity's audit stream first and stages the entry
    /// after the change's events, as the HTTP write path does (there is no Idempotency-Key to claim).
    /// </summary>
    private sealed class CliJournal(InvoicingCliSession owner) : ICommandJournal
    {
        private WriteTransaction? transaction;

        public bool Recorded { get; private set; }

        public async Task BeginAsync(IDocumentSession session, CommandContext context, string entity, CancellationToken ct)
        {
            if (transaction is not null) return;
            transaction = await WriteTransaction.OnSessionAsync(session, owner.dataSources.Schema, owner.events.Store, ct);
            await transaction.LockAuditStreamAsync(context.TenantId, entity, ct);
        }

        public async Task RecordAcceptedAsync(IDocumentSession session, CommandContext context, string entity, IReadOnlyList<AuditedStream> written,
            CancellationToken ct)
        {
            await BeginAsync(session, context, entity, ct);
            var entry = new CommandAuditEntry(owner.action, entity, AuditResult.Success, null, null, written, new AuditClient(null, UserAgent));
            owner.events.Store.Stage(session, [transaction!.AuditAppend(entity, AuditEventCodec.ToAppend(entry, context))]);
            Recorded = true;
        }
    }
}
