using Ledger.Application;
using Ledger.Application.Audit;
using Ledger.Application.Orders;
using Ledger.Domain.Orders;
using Ledger.EventStore.MartenStore;
using Ledger.EventStore.Privacy;
using Marten;
using Npgsql;

namespace Ledger.Bench.Scenarios.PersonalData;

/// <summary>
/// Creates orders through the production command path as tests/TestSupport's <c>TestOrderCommands</c> does: a Marten
/// session of the tenant, <see cref="OrderDecisions.DecideOnAsync"/> (the handler Wolverine runs for HTTP commands:
/// the stream fetched for writing, the decider, the customer's key taken in the command's transaction and the
/// personal data sealed under it, the events encoded and appended), then saved. No transport runs, so no journal
/// writes an audit entry (<see cref="NoJournal"/>): both sides of the comparison leave it out alike.
/// </summary>
public sealed class OrderCommandPath(DocumentStore documents, MartenEventStore store, SubjectKeys subjectKeys)
{
    private static readonly OrderLine[] Lines =
    [
        new("SKU-10001", "Widget, blue, 40 mm, boxed", 2, 12.50m),
        new("SKU-10002", "Gadget, red, 12 mm, loose", 1, 7.25m),
        new("SKU-10003", "Sprocket, steel, 25 teeth", 4, 3.10m),
    ];

    public SubjectKeys SubjectKeys => subjectKeys;

    /// <summary>
    /// One new order for <paramref name="customerId"/>, with <paramref name="personal"/> data about them or none; with
    /// <paramref name="bareRoundTrip"/>, the command's transaction is begun and a <c>SELECT 1</c> sent where the
    /// customer's key would be taken: the round trip of the key statement without its work.
    /// </summary>
    public async Task CreateAsync(string tenantId, string customerId, CustomerPersonalData? personal, bool bareRoundTrip = false)
    {
        var now = DateTimeOffset.UtcNow;
        var command = new CreateOrder(Guid.CreateVersion7(), customerId, "EUR", Lines, null, personal, now, "bench");
        var context = new CommandContext(tenantId, "bench", now, Guid.NewGuid().ToString("N"), null, null, "bench");
        var message = new DecideOrder(command, context, null);
        for (var attempt = 1; ; attempt++)
        {
            await using var session = documents.LightweightSession(tenantId);
            try
            {
                await OrderDecisions.DecideOnAsync(session, message, store, subjectKeys,
                    bareRoundTrip ? RoundTripJournal.Instance : NoJournal.Instance, CancellationToken.None);
                await session.SaveChangesAsync();
                return;
            }
            // As Wolverine's policy for the handler does: a customer's key the process held (or took to be new) that was
            // not theirs is decided again with the same message, which then reads the key from the table. Counted, so
            // the report can say what the lost commits cost.
            catch (Exception e) when (SubjectKeys.IsStale(e) && attempt < OrderCommandHandler.MaxAttempts)
            {
                Interlocked.Increment(ref lostCommits);
            }
        }
    }

    private long lostCommits;

    /// <summary>Commits lost to a stale or guessed key and decided again, so far.</summary>
    public long LostCommits => Interlocked.Read(ref lostCommits);

    /// <summary>A customer's personal data as the bench sends it: a name of 20 characters, an email of 25, both from the customer's number.</summary>
    public static CustomerPersonalData PersonalOf(long customer) =>
        new($"Ada Lovelace {customer % 10_000_000:D7}", $"ada.lk.{customer % 1_000_000:D6}@example.com");

    /// <summary>The journal of a command no transport carries (TestOrderCommands' <c>Unjournaled</c>): no lock, no audit entry.</summary>
    private class NoJournal : ICommandJournal
    {
        public static readonly NoJournal Instance = new();

        public Task BeginAsync(IDocumentSession session, CommandContext context, string entity, CancellationToken ct) => Task.CompletedTask;

        public virtual Task RecordAcceptedAsync(IDocumentSession session, CommandContext context, string entity, IReadOnlyList<AuditedStream> written,
            CancellationToken ct) => Task.CompletedTask;
    }

    /// <summary>
    /// No entry either, but what the handler does for a customer's key, with nothing to find: after the stream is
    /// fetched and before the session is saved, the transaction begun and one statement sent on its connection.
    /// </summary>
    private sealed class RoundTripJournal : NoJournal
    {
        public static new readonly RoundTripJournal Instance = new();

        public override async Task RecordAcceptedAsync(IDocumentSession session, CommandContext context, string entity, IReadOnlyList<AuditedStream> written,
            CancellationToken ct)
        {
            await session.BeginTransactionAsync(ct);
            await using var command = new NpgsqlCommand("SELECT 1", session.Connection);
            await command.ExecuteScalarAsync(ct);
        }
    }
}
