using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Ledger.Domain.Invoicing;

namespace Ledger.Application.Invoicing.Stamping;

/// <summary>
/// A fiscal authority in memory, for tests and development, that can be told how to behave: answer, be slow, fail
/// transiently (for the next n calls), reject everything for good, or be down. Like a real one it is idempotent:
/// a document stamped once gets the same stamp when sent again. It counts calls and stamps so tests can check
/// that nothing was stamped twice.
/// </summary>
public sealed class SimulatedFiscalAuthority(TimeProvider? clock = null) : IFiscalAuthority
{
    private readonly TimeProvider time = clock ?? TimeProvider.System;
    private readonly ConcurrentDictionary<Guid, AuthorityStamp> stamps = new();
    private readonly ConcurrentDictionary<Guid, int> requests = new();
    private readonly Lock gate = new();
    private Behaviour behaviour = new(Mode.Answer, TimeSpan.Zero, 0, "", "");
    private int calls;

    private enum Mode
    {
        Answer,
        Slow,
        FailTransiently,
        Reject,
        Down,
    }

    private sealed record Behaviour(Mode Mode, TimeSpan Delay, int Failures, string Code, string Reason);

    /// <summary>Every call so far, whatever its outcome.</summary>
    public int Calls => Volatile.Read(ref calls);

    /// <summary>The documents stamped so far, each with the one stamp it got.</summary>
    public IReadOnlyDictionary<Guid, AuthorityStamp> Stamps => stamps;

    /// <summary>How many times a document was sent, whatever the outcome.</summary>
    public int RequestsFor(Guid documentId) => requests.GetValueOrDefault(documentId);

    public void Answer() => Set(new Behaviour(Mode.Answer, TimeSpan.Zero, 0, "", ""));

    /// <summary>Answers, but only after <paramref name="delay"/> (unless the caller stops waiting first).</summary>
    public void BeSlow(TimeSpan delay) => Set(new Behaviour(Mode.Slow, delay, 0, "", ""));

    /// <summary>Fails the next <paramref name="times"/> calls as unavailable, then answers.</summary>
    public void FailTransiently(int times) => Set(new Behaviour(Mode.FailTransiently, TimeSpan.Zero, times, "", ""));

    /// <summary>Refuses every document for good with <paramref name="code"/> and <paramref name="reason"/>.</summary>
    public void RejectPermanently(string code, string reason) => Set(new Behaviour(Mode.Reject, TimeSpan.Zero, 0, code, reason));

    /// <summary>Answers nothing: every call fails as unavailable until told otherwise.</summary>
    public void GoDown() => Set(new Behaviour(Mode.Down, TimeSpan.Zero, 0, "", ""));

    public async Task<StampResponse> StampAsync(StampRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        Interlocked.Increment(ref calls);
        requests.AddOrUpdate(request.DocumentId, 1, (_, n) => n + 1);
        var now = Take();
        switch (now.Mode)
        {
            case Mode.Down:
                throw new FiscalAuthorityUnavailableException("The fiscal authority is down.");
            case Mode.FailTransiently when now.Failures > 0:
                throw new FiscalAuthorityUnavailableException("The fiscal authority failed transiently.");
            case Mode.Reject:
                return new StampResponse.Rejected(now.Code, now.Reason);
            case Mode.Slow:
                await Task.Delay(now.Delay, time, ct).ConfigureAwait(false);
                break;
        }
        return new StampResponse.Stamped(stamps.GetOrAdd(request.DocumentId, _ => NewStamp(request)));
    }

    /// <summary>The behaviour for this call; a transient failure uses up one of the failures left.</summary>
    private Behaviour Take()
    {
        lock (gate)
        {
            var current = behaviour;
            if (current is { Mode: Mode.FailTransiently, Failures: > 0 })
                behaviour = current with { Failures = current.Failures - 1 };
            return current;
        }
    }

    private void Set(Behaviour next)
    {
        lock (gate) behaviour = next;
    }

    private AuthorityStamp NewStamp(StampRequest request)
    {
        var id = Guid.NewGuid().ToString("D").ToUpperInvariant();
        var seal = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes($"{id}|{request.TenantId}|{request.DocumentId}|{request.Number}|{request.Total}")));
        return new AuthorityStamp(id, seal, time.GetUtcNow());
    }
}
