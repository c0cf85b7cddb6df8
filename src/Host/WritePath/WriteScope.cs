using Ledger.Application.Audit;
using Ledger.EventStore;
using Ledger.EventStore.Notifications;
using Ledger.Host.Configuration;
using Ledger.Host.Errors;
using Microsoft.Extensions.Options;

namespace Ledger.Host.WritePath;

/// <summary>
/// One write request (scoped per request). Each append the command makes through <see cref="WritePathEventStore"/>
/// is one transaction holding the command's events, their audit entry and — with an <c>Idempotency-Key</c> — the
/// claim of the key; it commits before the handler goes on, exactly as a plain append does. The answer is added to
/// the key once the endpoint has answered. A command that appended nothing gets its entry when it is answered:
/// success, or the refusal with its code.
/// </summary>
/// <remarks>
/// Retries with the same key wait for the request holding it: the key is locked (a transaction-scoped advisory lock,
/// on a connection of its own) from the moment the request starts until its answer is stored.
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
    private const int AnyVersionAttempts = 5;
    private static readonly AsyncLocal<WriteScope?> Ambient = new();

    private HttpContext? _http;
    private WritePathMetadata? _path;
    private string _tenantId = "";
    private string? _key;
    private byte[]? _fingerprint;
    private IDisposable? _gateHold;
    private WriteTransaction? _keyLock;
    private int _commits;

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
        _keyLock = await WriteTransaction.BeginAsync(db.App, db.Schema, ct);
        if (await IdempotencyRecords.LockAndFindAsync(_keyLock, _tenantId, _key, clock.GetUtcNow(), ct) is not { } stored) return null;

        if (!stored.RequestHash.AsSpan().SequenceEqual(_fingerprint))
            throw new RequestRejectedException(StatusCodes.Status422UnprocessableEntity, ProblemCodes.IdempotencyKeyReused,
                $"This {IdempotencyKey.Header} was used for a different request; use a new key for a new request.");
        if (stored.Response is null)
            throw new RequestRejectedException(StatusCodes.Status409Conflict, ProblemCodes.IdempotencyResponseUnavailable,
                "The request with this key was carried out, but its answer was not kept; read the resource to see its state.");
        LogReplayed(logger, stored.Response.Status);
        await ReleaseAsync();
        return stored.Response;
    }

    /// <summary>Makes this scope the one <see cref="WritePathEventStore"/> appends into while the endpoint runs.</summary>
    public IDisposable Enter()
    {
        Ambient.Value = this;
        return new Exit();
    }

    /// <summary>
    /// Appends the command's events and their audit entry (first, so the command's events end the append and the
    /// result's position is theirs) in one transaction, with the key's claim, and commits.
    /// </summary>
    /// <exception cref="ConcurrencyException">an expected version did not hold: nothing was written.</exception>
    public async Task<AppendResult> AppendAsync(string tenantId, IReadOnlyList<StreamAppend> streams, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(streams);
        if (tenantId != _tenantId)
            throw new InvalidOperationException("A write request may only append to its caller's tenant.");
        var http = _http ?? throw new InvalidOperationException("The write scope was not begun.");
        var entity = streams.Count > 0 ? streams[0].StreamId : throw new ArgumentException("An append needs a stream.", nameof(streams));

        for (var attempt = 1; ; attempt++)
        {
            await using var tx = await WriteTransaction.BeginAsync(db.App, db.Schema, ct);
            await tx.LockAuditStreamAsync(tenantId, entity, ct);
            var resolved = await tx.ResolveAnyAsync(tenantId, streams, ct);
            var written = resolved.Select(s => new AuditedStream(s.StreamId, s.Expected.Value + s.Events.Count)).ToList();
            var entry = AuditRecorder.Entry(http, entity, StatusCodes.Status200OK, null, written);
            var audit = tx.AuditAppend(entity, AuditEventCodec.ToAppend(entry, recorder.Context(http)));
            if (_key is not null && _commits == 0)
                await IdempotencyRecords.ClaimAsync(tx, tenantId, _key, _fingerprint!, null, clock.GetUtcNow(), options.Value.Window, ct);
            AppendResult result;
            try
            {
                result = await tx.AppendAsync(tenantId, [audit, .. resolved], ct);
            }
            catch (ConcurrencyException) when (attempt < AnyVersionAttempts && streams.Any(s => s.Expected.IsAny))
            {
                continue; // "any" was read before the chain head was ours: read it again
            }
            await tx.CommitAsync(ct);
            _commits++;
            Committed();
            return result with { StreamVersions = result.StreamVersions.Where(v => v.Key != audit.StreamId).ToDictionary() };
        }
    }

    /// <summary>The command was accepted: stores the answer under its key or, if it appended nothing, records its entry.</summary>
    public async Task CompleteAsync(StoredResponse response, CancellationToken ct)
    {
        var http = _http ?? throw new InvalidOperationException("The write scope was not begun.");
        if (_commits > 0)
        {
            if (_keyLock is { } answered)
            {
                await IdempotencyRecords.AnswerAsync(answered, _tenantId, _key!, response, ct);
                await answered.CommitAsync(ct);
            }
            await ReleaseAsync();
            return;
        }

        // Accepted without an event (a repeated command): the entry and the key with its answer are all there is.
        var entity = _path!.EntityOf(http);
        var tx = _keyLock ?? await WriteTransaction.BeginAsync(db.App, db.Schema, ct);
        _keyLock = tx;
        await tx.LockAuditStreamAsync(_tenantId, entity, ct);
        var entry = AuditRecorder.Entry(http, entity, response.Status, null, null);
        if (_key is not null)
            await IdempotencyRecords.ClaimAsync(tx, _tenantId, _key, _fingerprint!, response, clock.GetUtcNow(), options.Value.Window, ct);
        await tx.AppendAsync(_tenantId, [tx.AuditAppend(entity, AuditEventCodec.ToAppend(entry, recorder.Context(http)))], ct);
        await tx.CommitAsync(ct);
        await ReleaseAsync();
        Committed();
    }

    /// <summary>
    /// The command was refused or failed: records its entry. Nothing of a refused command was written; if the command
    /// had committed an append before failing, that append stands with its own entry, and its key stays unanswered.
    /// </summary>
    public async Task RefuseAsync(int status, string code)
    {
        await ReleaseAsync();
        if (_http is { } http && _path is { } path)
            await recorder.RecordRefusalAsync(http, path, status, code);
    }

    public async ValueTask DisposeAsync() => await ReleaseAsync();

    private async Task ReleaseAsync()
    {
        if (_keyLock is { } tx)
        {
            _keyLock = null;
            await tx.DisposeAsync();
        }
        _gateHold?.Dispose();
        _gateHold = null;
    }

    // Wakes this process's readers (projections, relay) at once rather than at their next poll.
    private void Committed() => services.GetService<AppendSignal>()?.Pulse();

    private sealed class Exit : IDisposable
    {
        public void Dispose() => Ambient.Value = null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Idempotent retry answered with the remembered {Status} response; nothing appended")]
    private static partial void LogReplayed(ILogger logger, int status);
}
