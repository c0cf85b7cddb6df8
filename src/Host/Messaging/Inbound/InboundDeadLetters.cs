using System.Text;
using Ledger.Host.Configuration;
using Ledger.Messaging;
using Marten;
using Wolverine;
using Wolverine.Marten;
using Wolverine.Persistence.Durability;
using Wolverine.Persistence.Durability.DeadLetterManagement;

namespace Ledger.Host.Messaging.Inbound;

/// <summary>A consumer's dead letter as the operator sees it: which message, and why it is there.</summary>
public sealed record DeadLetter(
    string Consumer,
    string MessageId,
    string? MessageType,
    string? ErrorType,
    string? ErrorCode,
    string? ErrorMessage,
    int Attempts,
    DateTimeOffset? FailedAt,
    string OriginalQueue,
    string Body);

/// <summary>
/// The consumers' dead letters in Wolverine's storage (<c>wolverine_dead_letters</c>), for <c>ledger dlq</c> and tests,
/// through Wolverine's own dead-letter API (<see cref="IDeadLetters"/>). A consumer's dead letters are those of its
/// Wolverine message (<see cref="InboundConsumer.Identity"/>). Replaying marks a dead letter replayable: the durability
/// agent of a running Host moves it back into the inbox under its own id, and its listener handles it as a first
/// attempt — once, like any message (the inbox knows the id).
/// </summary>
public sealed class InboundDeadLetters(IMessageStore store, MessagingSettings settings)
{
    public async Task<IReadOnlyDictionary<string, int>> CountsAsync(CancellationToken ct)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var consumer in InboundConsumers.All)
            counts[consumer.Name] = (await store.DeadLetters.QueryAsync(Of(consumer, 1), ct)).TotalCount;
        return counts;
    }

    /// <exception cref="ArgumentException">no consumer of that name.</exception>
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(string? consumer, int limit, CancellationToken ct)
    {
        var letters = new List<DeadLetter>();
        foreach (var selected in Select(consumer))
        {
            if (letters.Count >= limit) break;
            var found = await store.DeadLetters.QueryAsync(Of(selected, limit - letters.Count), ct);
            letters.AddRange(found.Envelopes.Where(e => !e.Replayable).Select(e => Read(selected, e)));
        }
        return letters;
    }

    public async Task<DeadLetter?> FindAsync(string messageId, string? consumer, CancellationToken ct) =>
        (await ListAsync(consumer, int.MaxValue, ct)).FirstOrDefault(l => l.MessageId == messageId);

    /// <summary>Replays one message (by id) or, with a null id, every dead letter of the selected consumers.</summary>
    public async Task<IReadOnlyList<DeadLetter>> ReplayAsync(string? messageId, string? consumer, CancellationToken ct)
    {
        var letters = (await ListAsync(consumer, int.MaxValue, ct)).Where(l => messageId is null || l.MessageId == messageId).ToList();
        if (letters.Count > 0)
            await store.DeadLetters.ReplayAsync(new DeadLetterEnvelopeQuery([.. letters.Select(l => Guid.Parse(l.MessageId))]), ct);
        return letters;
    }

    /// <summary>Deletes every dead letter of the selected consumers; returns how many per consumer.</summary>
    public async Task<IReadOnlyDictionary<string, int>> PurgeAsync(string? consumer, CancellationToken ct)
    {
        var purged = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var selected in Select(consumer))
        {
            var letters = await ListAsync(selected.Name, int.MaxValue, ct);
            if (letters.Count > 0)
                await store.DeadLetters.DiscardAsync(new DeadLetterEnvelopeQuery([.. letters.Select(l => Guid.Parse(l.MessageId))]), ct);
            purged[selected.Name] = letters.Count;
        }
        return purged;
    }

    private static IEnumerable<InboundConsumer> Select(string? consumer)
    {
        if (consumer is null) return InboundConsumers.All;
        return InboundConsumers.Named(consumer) is { } found
            ? [found]
            : throw new ArgumentException($"No consumer '{consumer}'. Consumers: {string.Join(", ", InboundConsumers.All.Select(c => c.Name))}.", nameof(consumer));
    }

    private static DeadLetterEnvelopeQuery Of(InboundConsumer consumer, int limit) =>
        new() { MessageType = consumer.Identity, PageSize = Math.Max(1, Math.Min(limit, 10_000)) };

    private DeadLetter Read(InboundConsumer consumer, DeadLetterEnvelope letter)
    {
        var envelope = letter.Envelope;
        return new DeadLetter(
            consumer.Name,
            letter.Id.ToString("D"),
            envelope.Headers.GetValueOrDefault(InboundHeaders.AmqpType),
            letter.ExceptionType,
            envelope.Headers.GetValueOrDefault(InboundHeaders.ErrorCode),
            letter.ExceptionMessage,
            envelope.Attempts,
            letter.FailedAt ?? letter.SentAt,
            InboundListeners.QueueOf(consumer, settings),
            envelope.Data is { } data ? Encoding.UTF8.GetString(data) : "");
    }

    /// <summary>
    /// Wolverine's message store for a process that is not the Host (the CLI): built as the Host builds it (Marten with
    /// <c>IntegrateWithWolverine</c> in Ledger's schema, on the application's connection) in a host that never starts.
    /// Dispose the returned host when done.
    /// </summary>
    public static (IHost Host, InboundDeadLetters DeadLetters) Open(IConfiguration configuration)
    {
        var db = LedgerDataSources.Create(configuration);
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton(db);
        builder.Services.AddMarten(options =>
            {
                options.Connection(db.App);
                options.DatabaseSchemaName = db.Schema;
                options.Events.DatabaseSchemaName = db.Schema;
                options.AutoCreateSchemaObjects = JasperFx.AutoCreate.None;
            })
            .IntegrateWithWolverine();
        builder.UseWolverine(options =>
        {
            options.ApplicationAssembly = typeof(InboundDeadLetters).Assembly;
            options.Discovery.DisableConventionalDiscovery();
            options.AutoBuildMessageStorageOnStartup = JasperFx.AutoCreate.None;
        });
        var host = builder.Build();
        return (host, new InboundDeadLetters(host.Services.GetRequiredService<IMessageStore>(), MessagingConfiguration.Settings(configuration)));
    }
}
