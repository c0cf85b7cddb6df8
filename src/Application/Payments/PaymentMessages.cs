using System.Text.Json;
using Ledger.Application.Json;

namespace Ledger.Application.Payments;

/// <summary>
/// The payment gateway's messages Ledger consumes (schemas/payments.payment.*.v1.json). The payload names the
/// order and repeats the tenant; the tenant Ledger acts for is the envelope's, and the two must agree.
/// </summary>
public static class PaymentMessages
{
    public const string Confirmed = "payments.payment.confirmed";
    public const string Failed = "payments.payment.failed";

    /// <summary>The message types the payments consumer is bound to.</summary>
    public static IReadOnlyList<string> ConsumedTypes { get; } = [$"{Confirmed}.v1", $"{Failed}.v1"];

    /// <exception cref="JsonException">the payload does not have the shape of its type.</exception>
    internal static T Read<T>(JsonElement payload) where T : class =>
        payload.ValueKind == JsonValueKind.Object
            ? payload.Deserialize<T>(LedgerJson.Options) ?? throw new JsonException($"No payload for {typeof(T).Name}.")
            : throw new JsonException($"A payment payload must be a JSON object, found {payload.ValueKind}.");
}

/// <summary><c>payments.payment.confirmed.v1</c>: the gateway settled <paramref name="Amount"/> for the order.</summary>
internal sealed record PaymentConfirmedV1(string TenantId, Guid OrderId, decimal Amount, string PaymentReference);

/// <summary><c>payments.payment.failed.v1</c>: the requested payment did not go through.</summary>
internal sealed record PaymentFailedV1(string TenantId, Guid OrderId, string Reason);
