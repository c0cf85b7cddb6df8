using System.Text;
using System.Text.Json;
using Ledger.EventStore.Telemetry;
using Ledger.Messaging.Broker;
using Ledger.Messaging.Contracts;
using Npgsql;
using RabbitMQ.Client;

namespace Ledger.Messaging.Consumers;

/// <summary>
/// What one delivery goes through, apart from acknowledging it: read and validate it against its schema, then in
/// one transaction record it in the inbox and apply it. The outcome says whether it was applied, was a duplicate,
/// or failed and how.
/// </summary>
internal sealed class DeliveryProcessor(ConsumerDefinition definition, ContractSchemas schemas, NpgsqlDataSource dataSource)
{
    public async Task<DeliveryResult> ProcessAsync(ReadOnlyMemory<byte> body, IReadOnlyBasicProperties properties, int attempt, CancellationToken ct)
    {
        string? messageId = properties.MessageId;
        string? messageType = properties.Type;
        try
        {
            var message = Read(body, properties, attempt);
            (messageId, messageType) = (message.MessageId, message.MessageType);
            using var span = LedgerTelemetry.StartMessageSpan(LedgerTelemetry.ConsumerHandleSpan, System.Diagnostics.ActivityKind.Consumer,
                LedgerHeaders.Text(properties.Headers, TraceParent.Header), message.MessageType);

            await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            var tx = new MessageTransaction(connection, transaction);
            if (!await Inbox.TryRecordAsync(tx, message.Envelope.TenantId, definition.Name, message.MessageId, message.MessageType, ct).ConfigureAwait(false))
                return new DeliveryResult(Disposition.Duplicate, messageId, messageType);
            await definition.Handler.HandleAsync(message, tx, ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            definition.Committed?.Invoke();
            return new DeliveryResult(Disposition.Applied, messageId, messageType);
        }
        catch (Exception e)
        {
            return new DeliveryResult(Disposition.Failed, messageId, messageType, e, DeliveryResult.Classify(e, definition.IsPermanent));
        }
    }

    private InboundMessage Read(ReadOnlyMemory<byte> body, IReadOnlyBasicProperties properties, int attempt)
    {
        string json;
        JsonElement root;
        try
        {
            json = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body.Span);
            using var document = JsonDocument.Parse(json);
            root = document.RootElement.Clone();
        }
        catch (Exception e) when (e is JsonException or DecoderFallbackException)
        {
            throw new MessageRejectedException("invalid_json", $"The body is not UTF-8 JSON: {e.Message}", e);
        }

        var type = properties.Type ?? TypeFromBody(root);
        if (type is null || !definition.MessageTypes.Contains(type, StringComparer.Ordinal) || !schemas.Has(type))
            throw new MessageRejectedException("unknown_type", $"Consumer '{definition.Name}' does not take messages of type '{type ?? "(none)"}'.");
        var violations = schemas.Validate(type, json);
        if (violations.Count > 0)
            throw new MessageRejectedException("schema_violation",
                LedgerHeaders.Truncate($"Not a valid {type}: {string.Join("; ", violations)}"));

        var envelope = IntegrationEnvelope.Parse(root);
        if (envelope.MessageType != type)
            throw new MessageRejectedException("invalid_envelope", $"The message says it is a {type} but its body is a {envelope.MessageType}.");
        var traceId = TraceParent.TryReadTraceId(LedgerHeaders.Text(properties.Headers, TraceParent.Header), out var fromHeader)
            ? fromHeader
            : envelope.TraceId;
        return new InboundMessage(envelope, envelope.EventId.ToString("D"), attempt, traceId);
    }

    private static string? TypeFromBody(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("event_name", out var name) && name.ValueKind == JsonValueKind.String
        && root.TryGetProperty("event_version", out var version) && version.TryGetInt32(out var v)
            ? MessageTypes.Of(name.GetString()!, v)
            : null;
}
