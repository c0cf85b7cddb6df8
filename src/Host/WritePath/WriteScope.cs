using Ledger.Application.Audit;
using Ledger.EventStore;
using Ledger.EventStore.MartenStore;
using Ledger.Host.Configuration;
using Ledger.Host.Errors;
using Marten;
using Microsoft.Extensions.Options;

namespace Ledger.Host.WritePath;

/// <summary>
/// One write request (scoped per request). The command's Wolverine handler runs inline in the request and journals
/// through this scope (<see cref="WritePathJournal"/>): its Marten session's one transaction holds the command's
/// events, their audit entry and — with an <c>Idempotency-Key</c> — the claim of the key, and commits when the handler
/// returns. The answer is added to the key once the endpoint has answered. A command that appended nothing gets its
/// entry when it is answered: success, or the refusal with its code.
/// </summary>
/// <remarks>
/// A write holds at most one pooled connection at a time, whatever it does: a request that held one while waiting for
/// another could, with enough of them, take the whole pool and wait forever (issue 12). So nothing is held while the
/// endpoint runs. Retries with the same key in this process wait at <see cref="KeyedGate"/> (no connection) until the
/// first has stored its answer. Across processes, the key's row is the lock: it is inserted in the command's
/// transaction, so a concurrent insert of the same key waits for that commit and then fails, and the loser answers
/// with the winner's stored answer (<see cref="IdempotencyKeyTakenException"/>), waiting briefly for it when the
/// winner has committed but not yet answered.
/// </remarks>
internal sealed partial class WriteScope(
    LedgerDataSources db,
    AuditRecorder recorder,
    KeyedGate gate,
    TimeProvider clock,
    IOptions<IdempotencyOptions> options,
    IServiceProvider services,
    ILogger<WriteScope> logger) : IAsyncDisposable
{
    /// <summary>
    /// How long a retry waits for the answer of a request that claimed its key and has not answered yet. That request
    /// stores its answer milliseconds after its commit; one that has not after this long has died, and its answer is lost.
    /// </summary>
    private static readonly TimeSpan AnswerWait = TimeSpan.FromSeconds(2);
    private static readonly AsyncLocal<WriteScope?> Ambient = new();

    private HttpContext? _http;
    private WritePathMetadata? _path;
    private string _tenantId = "";
    private string? _key;
    private byte[]? _fingerprint;
    private IDisposable? _gateHold;
    private int _commits;
    private IDocumentSession? _session;
    private WriteTransaction? _sessionTransaction;

    /// <summary>The write scope whose endpoint is running in this async flow, if any.</summary>
    public static WriteScope? Current => Ambient.Value;

    /// <summary>
    /// Starts the scope. With an <c>Idempotency-Key</c>, waits for any other request holding the same key, and returns
    /// the answer remembered for it when this is a retry; null means: run the command.
    /// </summary>
    /// <exception cref="RequestRejectedException">
    /// the key is malformed (400), was used for another request (422), or its command ran but its answer was lost (409).
    /// </exception>
    public async Task<StoredResponse?> BeginAsync(HttpContext http, WritePathMetadata path, CancellationToken ct)
    {
        _http = http;
        _path = path;
        _tenantId = recorder.Context(http).TenantId;
        _key = IdempotencyKey.From(http.Request);
        if (_key is null) return null;

        _fingerprint = await IdempotencyKey.FingerprintAsync(http.Request, recorder.Context(http).Actor, ct);
        _gateHold = await gate.EnterAsync(_tenantId + "\n" + _key, ct);
        return await RememberedAnswerAsync(ct);
    }

    /// <summary>
    /// The answer remembered under the key, for a request that lost the race for it to another process
    /// (<see cref="IdempotencyKeyTakenException"/>): that request has committed, so its answer is there or due.
    /// </summary>
    public async Task<StoredResponse> TakenKeyAnswerAsync(CancellationToken ct) =>
        await RememberedAnswerAsync(ct) ?? throw new InvalidOperationException("The key's row was claimed, yet is gone.");

    private async Task<StoredResponse?> RememberedAnswerAsync(CancellationToken ct)
    {
        for (var pause = TimeSpan.FromMilliseconds(10); ; pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromMilliseconds(200).Ticks)))
        {
            var now = clock.GetUtcNow();
            if (await IdempotencyRecords.FindAsync(db.App, _tenantId, _key!, now, ct) is not { } stored) return null;

            if (!stored.RequestHash.AsSpan().SequenceEqual(_fingerprint))
                throw new RequestRejectedException(StatusCodes.Status422UnprocessableEntity, ProblemCodes.IdempotencyKeyReused,
                    $"This {IdempotencyKey.Header} was used for a different request; use a new key for a new request.");
            if (stored.Response is { } response)
            {
                LogReplayed(logger, response.Status);
                Release();
                return response.AsReplay();
            }
            if (now - stored.ClaimedAt >= AnswerWait)
                throw new RequestRejectedException(StatusCodes.Status409Conflict, ProblemCodes.IdempotencyResponseUnavailable,
                    "The request with this key was carried out, but its answer was not kept; read the resource to see its state.");
            await Task.Delay(pause, clock, ct); // another process committed the command and is storing its answer
        }
    }

    /// <summary>Makes this scope the one the command's journal (<see cref="WritePathJournal"/>) finds while the endpoint runs.</summary>
    public IDisposable Enter()
    {
        Ambient.Value = this;
        return new Exit();
    }

    /// <summary>
    /// Joins a command handler's Marten session (a Wolverine handler's, which its transactional middleware commits): opens
    /// its transaction, and claims the key and locks the entity's audit stream in it, first, as every write takes its
    /// locks in one order. Called again on the same session, it does nothing more.
    /// </summary>
    public async Task BeginOnSessionAsync(IDocumentSession session, string entity, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (ReferenceEquals(session, _session)) return;
        if (_http is null) throw new InvalidOperationException("The write scope was not begun.");
        if (session.TenantId != _tenantId)
            throw new InvalidOperationException("A write request may only append to its caller's tenant.");
        var tx = await WriteTransaction.OnSessionAsync(session, db.Schema, services.GetRequiredService<MartenEventStore>(), ct);
        // Each attempt claims again: an attempt that lost a race rolled its claim back with its events.
        if (_commits == 0) await ClaimKeyAsync(tx, null, ct);
        await tx.LockAuditStreamAsync(_tenantId, entity, ct);
        (_session, _sessionTransaction) = (session, tx);
    }

    /// <summary>Stages the accepted command's audit entry after its events on its session, joining the session first if need be.</summary>
    public async Task EnlistAsync(IDocumentSession session, string entity, IReadOnlyList<AuditedStream> written, CancellationToken ct)
    {
        await BeginOnSessionAsync(session, entity, ct);
        var entry = AuditRecorder.Entry(_http!, entity, StatusCodes.Status200OK, null, written);
        services.GetRequiredService<MartenEventStore>().Stage(session,
            [_sessionTransaction!.AuditAppend(entity, AuditEventCodec.ToAppend(entry, recorder.Context(_http!)))]);
    }

    /// <summary>
    /// The command's session committed what <see cref="EnlistAsync"/> staged (the handler appended events and
    /// returned): the key is claimed and the entry written, so only the answer is left to store.
    /// </summary>
    public void Committed() => _commits++;

    /// <summary>The command was accepted: stores the answer under its key or, if it appended nothing, records its entry.</summary>
    public async Task CompleteAsync(StoredResponse response, CancellationToken ct)
    {
        var http = _http ?? throw new InvalidOperationException("The write scope was not begun.");
        if (_commits > 0)
        {
            if (_key is not null) await IdempotencyRecords.AnswerAsync(db.App, _tenantId, _key, response, ct);
            Release();
            return;
        }

        // Accepted without an event (a repeated command): the entry and the key with its answer are all there is.
        var entity = _path!.EntityOf(http);
        await using (var tx = await WriteTransaction.BeginAsync(db.App, db.Schema, services.GetRequiredService<MartenEventStore>(), ct))
        {
            await ClaimKeyAsync(tx, response, ct);
            await tx.LockAuditStreamAsync(_tenantId, entity, ct);
            var entry = AuditRecorder.Entry(http, entity, response.Status, null, null);
            await tx.AppendAsync(_tenantId, [tx.AuditAppend(entity, AuditEventCodec.ToAppend(entry, recorder.Context(http)))], ct);
            await tx.CommitAsync(ct);
        }
        Release();
    }

    // First in the transaction (locks are taken in one order: the key, an audit stream, the chain head). The row's
    // primary key is the lock: an insert of a key another transaction inserted waits for it, and fails if it commits.
    private async Task ClaimKeyAsync(WriteTransaction tx, StoredResponse? response, CancellationToken ct)
    {
        if (_key is null) return;
        try
        {
            await IdempotencyRecords.ClaimAsync(tx, _tenantId, _key, _fingerprint!, response, clock.GetUtcNow(), options.Value.Window,
                Privacy.DataSubjectOfRequest.Get(_http!), ct);
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation)
        {
            throw new IdempotencyKeyTakenException();
        }
    }

    /// <summary>
    /// The command was refused or failed: records its entry. Nothing of a refused command was written; if the command
    /// had committed an append before failing, that append stands with its own entry, and its key stays unanswered.
    /// </summary>
    public async Task RefuseAsync(int status, string code)
    {
        Release();
        if (_http is { } http && _path is { } path)
            await recorder.RecordRefusalAsync(http, path, status, code);
    }

    public ValueTask DisposeAsync()
    {
        Release();
        return ValueTask.CompletedTask;
    }

    private void Release()
    {
        _gateHold?.Dispose();
        _gateHold = null;
    }

    private sealed class Exit : IDisposable
    {
        public void Dispose() => Ambient.Value = null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Idempotent retry answered with the remembered {Status} response; nothing appended")]
    private static partial void LogReplayed(ILogger logger, int status);
}
