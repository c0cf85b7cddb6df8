namespace Ledger.Domain.Orders;

/// <summary>
/// Why an order refuses a command. The codes are part of Ledger's public contract (problem details carry them)
/// and are never renamed.
/// </summary>
public static class OrderErrors
{
    public const string NotFound = "order.not_found";
    public const string AlreadyExists = "order.already_exists";
    public const string CustomerRequired = "order.customer_required";
    public const string UnknownCurrency = "order.unknown_currency";
    public const string NoLines = "order.no_lines";
    public const string SkuRequired = "order.sku_required";
    public const string InvalidQuantity = "order.invalid_quantity";
    public const string NegativePrice = "order.negative_price";
    public const string InvalidAmountPrecision = "order.invalid_amount_precision";
    public const string AmountOutOfRange = "order.amount_out_of_range";
    public const string TotalMismatch = "order.total_mismatch";
    public const string PaymentNotRequested = "order.payment_not_requested";
    public const string PaymentReferenceRequired = "order.payment_reference_required";
    public const string AmountMismatch = "order.amount_mismatch";
    public const string AlreadyPaid = "order.already_paid";
    public const string NotPaid = "order.not_paid";
    public const string CannotCancelPaid = "order.cannot_cancel_paid";
    public const string Cancelled = "order.cancelled";

    /// <summary>Every code above, for tests and for documentation of the API.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        NotFound, AlreadyExists, CustomerRequired, UnknownCurrency, NoLines, SkuRequired, InvalidQuantity, NegativePrice,
        InvalidAmountPrecision, AmountOutOfRange, TotalMismatch, PaymentNotRequested, PaymentReferenceRequired,
        AmountMismatch, AlreadyPaid, NotPaid, CannotCancelPaid, Cancelled,
    ];

    internal static DomainError Refuse(string code, string message) => new(code, message);
}
