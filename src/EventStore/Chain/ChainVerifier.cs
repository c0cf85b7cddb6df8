using System.Buffers;
using System.Globalization;
using Npgsql;

namespace Ledger.EventStore.Chain;

/// <summary>
/// Walks a tenant's hash chain in order and recomputes it from the stored records, as an outside auditor
/// would from an export: each entry hash from the canonical record, each link from the previous link.
/// It trusts nothing stored but the records, and stops at the first failure. The checks themselves are
/// <see cref="ChainWalk"/>'s, shared with the auditor API and the offline export verifier.
/// </summary>
public sealed class ChainVerifier(NpgsqlDataSource dataSource, int pageSize = 5000)
{
    private const int FirstPageSize = 250;

    private readonly ChainEntryReader reader = new(dataSource);

    public async Task<ChainVerification> VerifyAsync(string tenantId, long fromSeq = 1, long? toSeq = null, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fromSeq, 1);
        var previous = await reader.ChainHashAtAsync(tenantId, fromSeq - 1, ct);
        if (previous is null)
            return new(tenantId, fromSeq, fromSeq - 1, 0, [], new(fromSeq - 1, ChainFailureReason.Gap, $"entry {fromSeq - 1} before the range is missing"));

        var walk = new ChainWalk(fromSeq, previous);
        await WalkAsync(tenantId, walk, toSeq, long.MaxValue, ct);
        if (walk.Failure is null)
        {
            // A deleted last entry leaves no gap to find; the head row still remembers how long the chain was.
            var (head, _) = await reader.HeadAsync(tenantId, ct);
            walk.Finish(toSeq is null ? head : Math.Min(toSeq.Value, head), string.Create(CultureInfo.InvariantCulture, $"the chain head"));
        }
        return new(tenantId, fromSeq, walk.VerifiedThrough, walk.EntriesChecked, walk.Previous, walk.Failure);
    }

    /// <summary>
    /// Feeds <paramref name="walk"/> the stored entries from its next position through <paramref name="toSeq"/>, at most
    /// <paramref name="maxEntries"/> of them. True when the stored entries ran out (or the range ended) before the budget
    /// did, so the caller may <see cref="ChainWalk.Finish"/>; false when it stopped on the budget or a failure.
    /// </summary>
    /// <remarks>
    /// Reading and hashing overlap: while one page's records are rebuilt and hashed here, the next page is already being
    /// read (on another pooled connection), so a walk takes about as long as the slower of the two rather than their sum.
    /// The next page starts after the last position of this one, which is where the walk goes on unless it fails here;
    /// then the page read ahead is dropped unused. Only one page is ever read ahead. Pages start small and double up to
    /// the page size, so that the first one, which nothing overlaps, is short.
    /// </remarks>
    public async Task<bool> WalkAsync(string tenantId, ChainWalk walk, long? toSeq, long maxEntries, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(walk);
        var budget = maxEntries;
        var size = Math.Min(pageSize, FirstPageSize);
        var record = new ArrayBufferWriter<byte>(2048);
        Task<StoredChainPage>? ahead = null;
        try
        {
            while (walk.Failure is null)
            {
                if (toSeq is not null && walk.Next > toSeq) return true;
                if (budget == 0) return false;
                var want = (int)Math.Min(size, budget);
                var page = await (ahead ?? reader.ReadPageAsync(tenantId, walk.Next, toSeq, want, ct));
                budget -= page.Count;
                size = Math.Min(pageSize, size * 2);
                ahead = page.Count == want && budget > 0 && (toSeq is null || page.LastSeq < toSeq)
                    ? ReadAhead(tenantId, page.LastSeq + 1, toSeq, (int)Math.Min(size, budget), ct)
                    : null;
                for (var i = 0; i < page.Count; i++)
                {
                    record.ResetWrittenCount();
                    page.WriteRecord(i, record);
                    if (!walk.Accept(page.ChainSeq(i), record.WrittenSpan, page.EntryHash(i), page.ChainHash(i))) return false;
                }
                if (page.Count < want) return true;
            }
            return false;
        }
        finally
        {
            // A page read ahead of a failure is not needed, but its query is left to finish rather than to run on unobserved.
            if (ahead is not null) await ((Task)ahead).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    // On the thread pool, so that reading the rows never waits for the hashing that runs on this thread meanwhile.
    private Task<StoredChainPage> ReadAhead(string tenantId, long fromSeq, long? toSeq, int limit, CancellationToken ct) =>
        Task.Run(() => reader.ReadPageAsync(tenantId, fromSeq, toSeq, limit, ct), ct);
}
