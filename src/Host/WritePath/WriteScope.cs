using Ledger.Application.Audit;
using Ledger.EventStore;
using Ledger.EventStore.Notifications;
using Ledger.Host.Configuration;
using Ledger.Host.Errors;
using Microsoft.Extensions.Options;

namespace Ledger.Host.WritePath;

/// <summary>
/// One write request's transaction (scoped per request). The command's appends join it through
/// <see cref="WritePathEventStore"/>; when the endpoint has answered, its audit entry and (with an
/// <c>Idempotency-Key</c>) the key and the answer are added and everything commits at once. On any refusal the
/// transaction is rolled back and the refusal recorded on its own.
/// </summary>
internal sealed partial class WriteScope(
    LedgerDataSources db,
    AuditRecorder recorder,
    KeyedGate gate,
    TimeProvider clock,
    IOptions<IdempotencyOptions> options,
    IServiceProvider services,
    ILogger<WriteScope> logger) : IAsyncDisposable
{
    private static readonly AsyncLocal<WriteScope?> Ambient = new();

    private readonly List<AuditedStream> _appended = [];
    private HttpContext? _http;
    private WritePathMetadata? _path;
    private string _tenantId = "";
    private WriteTransaction? _tx;
    private IDisposable? _gateHold;
    private string? _key;
    private byte[]? _fingerprint;
    private string? _entity;

    /// <summary>The write scope whose endpoint is running in this async flow, if any.</summary>
    public static WriteScope? Current => Ambient.Value;

    /// <summary>
    /// Starts the scope. With an <c>Idempotency-Key</c>, waits for any other request holding the same key, and returns
    /// the answer remembered for it when this is a retry; null means: run the command.
    /// </summary>
    /// <exception cref="RequestRejectedException">the key is malformed (400) or was used for another request (422).</exception>
    public async Task<StoredResponse?> BeginAsync(HttpContext http, WritePathMetadata path, CancellationToken ct)
    {
        _http = http;
        _path = path;
        _tenantId = recorder.Context(http).TenantId;
        _key = IdempotencyKey.From(http.Request);
        if (_key is null) return null;

        _fingerprint = await IdempotencyKey.FingerprintAsync(http.Request, recorder.Context(http).Actor, ct);
        _gateHold = await gate.EnterAsync(_tenantId + "\n" + _key, ct);
        _tx = await WriteTransaction.BeginAsync(db.App, db.Schema, ct);
        if (await IdempotencyRecords.LockAndFindAsync(_tx, _tenantId, _key, clock.GetUtcNow(), ct) is not { } stored) return null;

        if (!stored.RequestHash.AsSpan().SequenceEqual(_fingerprint))
            throw new RequestRejectedException(StatusCodes.Status422UnprocessableEntity, ProblemCodes.IdempotencyKeyReused,
                $"This {IdempotencyKey.Header} was used for a different request; use a new key for a new request.");
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

    public async Task<AppendResult> AppendAsync(string tenantId, IReadOnlyList<StreamAppend> streams, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(streams);
        if (tenantId != _tenantId)
            throw new InvalidOperationException("A write request may only append to its caller's tenant.");
        _tx ??= await WriteTransaction.BeginAsync(db.App, db.Schema, ct);
        // The audit stream's lock comes before the chain head that append_events takes: the same order as everywhere.
        _entity ??= streams[0].StreamId;
        await _tx.LockAuditStreamAsync(_tenantId, _entity, ct);
        var result = await _tx.AppendAsync(tenantId, streams, ct);
        foreach (var (streamId, version) in result.StreamVersions)
        {
            _appended.RemoveAll(s => s.StreamId == streamId);
            _appended.Add(new AuditedStream(streamId, version));
        }
        return result;
    }

    /// <summary>The command was accepted: adds its audit entry and the remembered answer, and commits.</summary>
    public async Task CompleteAsync(StoredResponse response, CancellationToken ct)
    {
        var http = _http ?? throw new InvalidOperationException("The write scope was not begun.");
        var context = recorder.Context(http);
        var entity = _entity ?? _path!.EntityOf(http);
        var entry = AuditRecorder.Entry(http, entity, response.Status, null, _appended.Count > 0 ? [.. _appended] : null);

        _tx ??= await WriteTransaction.BeginAsync(db.App, db.Schema, ct);
        await _tx.AppendAuditAsync(_tenantId, entity, AuditEventCodec.ToAppend(entry, context), ct);
        if (_key is not null)
            await IdempotencyRecords.SaveAsync(_tx, _tenantId, _key, _fingerprint!, response, context.Now, options.Value.Window, ct);
        await _tx.CommitAsync(ct);
        await ReleaseAsync();
        // Wake this process's readers (projections, relay) at once rather than at their next poll.
        services.GetService<AppendSignal>()?.Pulse();
    }

    /// <summary>The command was refused or failed: nothing of it is kept but its audit entry.</summary>
    public async Task RefuseAsync(int status, string code)
    {
        await ReleaseAsync();
        if (_http is { } http && _path is { } path)
            await recorder.RecordRefusalAsync(http, path, status, code);
    }

    public async ValueTask DisposeAsync() => await ReleaseAsync();

    private async Task ReleaseAsync()
    {
        if (_tx is { } tx)
        {
            _tx = null;
            await tx.DisposeAsync();
        }
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
