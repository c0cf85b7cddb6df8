using Ledger.EventStore;
using Ledger.EventStore.MartenStore;
using Ledger.Host.Auth;
using Marten;
using Wolverine;

namespace Ledger.Host.WritePath;

/// <summary>How a write endpoint has Wolverine run its command: inline, in the caller's tenant, inside the request's write path.</summary>
internal static class WriteCommands
{
    /// <summary>
    /// Runs <paramref name="command"/> and returns what its handler answered once its session committed. A race still
    /// lost after the handler's retries is answered as a conflict on <paramref name="contested"/> with the stream's
    /// version now (409), as one with an expected version is.
    /// </summary>
    /// <param name="appended">Whether the answer says the command appended: its key and entry then committed with it.</param>
    public static async Task<T> InvokeAsync<T>(HttpContext http, IMessageBus bus, object command, string contested, long? expected,
        Func<T, bool> appended, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(appended);
        var tenant = http.User.TenantId();
        T answer;
        try
        {
            answer = await bus.InvokeForTenantAsync<T>(tenant, command, ct);
        }
        catch (Exception e) when (LedgerMarten.IsConflict(e))
        {
            await using var session = http.RequestServices.GetRequiredService<IDocumentStore>().QuerySession(tenant);
            var state = await session.Events.FetchStreamStateAsync(contested, ct);
            throw new ConcurrencyException(tenant, contested, expected is { } v ? ExpectedVersion.Exactly(v) : ExpectedVersion.Any, state?.Version ?? 0);
        }
        if (appended(answer)) WriteScope.Current?.Committed();
        return answer;
    }
}
