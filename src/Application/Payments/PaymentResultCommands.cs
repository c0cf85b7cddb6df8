using System.Text.Json;
using Ledger.Application.Orders;
using Ledger.Domain;
using Ledger.Domain.Orders;

namespace Ledger.Application.Payments;

/// <summary>
/// Turns the payment gateway's results into order commands: a confirmation pays the order (<see cref="PayOrder"/>),
/// a failure records it (<see cref="FailPayment"/>). The order's decider makes a repeated confirmation harmless
/// (same reference and amount: nothing happens) and refuses a second, different payment.
/// <para>
/// Trust: the tenant comes from the message envelope, not from a token. The gateway is a service on the internal
/// broker, authenticated by the broker's own credentials and permissions on the exchange, so its envelope is
/// trusted the way a token's tenant claim is on HTTP. The payload's tenant must agree with the envelope's.
/// </para>
/// </summary>
public static class PaymentResultCommands
{
    /// <summary>The order command a payment message carries (no expected version: a payment applies to the order as it stands).</summary>
    /// <exception cref="ValidationError">the message names another tenant, or is not a payment message.</exception>
    /// <exception cref="JsonException">the payload is not the message type's shape.</exception>
    public static DecideOrder CommandFor(CommandContext context, string messageType, JsonElement payload)
    {
        ArgumentNullException.ThrowIfNull(context);
        OrderCommand command = messageType switch
        {
            $"{PaymentMessages.Confirmed}.v1" => Pay(context, PaymentMessages.Read<PaymentConfirmedV1>(payload)),
            $"{PaymentMessages.Failed}.v1" => Fail(context, PaymentMessages.Read<PaymentFailedV1>(payload)),
            _ => throw new ValidationError("payment.unknown_message", $"'{messageType}' is not a payment message Ledger consumes."),
        };
        return new DecideOrder(command, context, ExpectedVersion: null);
    }

    /// <summary>Failures that no retry can fix: the message goes to the dead-letter queue at once.</summary>
    public static bool IsPermanent(Exception error) => error is DomainError or ValidationError or JsonException;

    private static PayOrder Pay(CommandContext context, PaymentConfirmedV1 message)
    {
        RequireTenant(context, message.TenantId);
        return new PayOrder(message.OrderId, message.Amount, message.PaymentReference, context.Now, context.Actor);
    }

    private static FailPayment Fail(CommandContext context, PaymentFailedV1 message)
    {
        RequireTenant(context, message.TenantId);
        return new FailPayment(message.OrderId, message.Reason, context.Now, context.Actor);
    }

    private static void RequireTenant(CommandContext context, string payloadTenant)
    {
        if (!string.Equals(payloadTenant, context.TenantId, StringComparison.Ordinal))
            throw new ValidationError("payment.tenant_mismatch",
                $"The payment names tenant '{payloadTenant}' but was sent for tenant '{context.TenantId}'.");
    }
}
