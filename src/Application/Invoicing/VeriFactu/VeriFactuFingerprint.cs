using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ledger.Application.Invoicing.VeriFactu;

/// <summary>
/// The VERI*FACTU record fingerprint ("huella"), as the AEAT specifies it (Detalle de las especificaciones técnicas
/// para generación de la huella o hash de los registros de facturación, v0.1.2, sections 3 and 5): SHA-256 over the
/// UTF-8 bytes of <c>Field=value&amp;Field=value…</c> in a fixed field order, each value trimmed, an empty value
/// written as <c>Field=</c>, as 64 upper-case hexadecimal characters. The first record of a chain has an empty
/// previous fingerprint. The values are hashed exactly as they are sent, so they are formatted here once and stored
/// in that form: dates <c>dd-MM-yyyy</c>, amounts with a point and two decimals, the generation time as
/// <c>yyyy-MM-ddTHH:mm:ss±hh:mm</c> in the issuer's time zone.
/// </summary>
public static class VeriFactuFingerprint
{
    public static string RegistrationInput(
        string issuerId, string number, string issueDate, string invoiceType, string totalTax, string totalAmount,
        string previousFingerprint, string generatedAt) =>
        Join(
            ("IDEmisorFactura", issuerId),
            ("NumSerieFactura", number),
            ("FechaExpedicionFactura", issueDate),
            ("TipoFactura", invoiceType),
            ("CuotaTotal", totalTax),
            ("ImporteTotal", totalAmount),
            ("Huella", previousFingerprint),
            ("FechaHoraHusoGenRegistro", generatedAt));

    public static string CancellationInput(string issuerId, string number, string issueDate, string previousFingerprint, string generatedAt) =>
        Join(
            ("IDEmisorFacturaAnulada", issuerId),
            ("NumSerieFacturaAnulada", number),
            ("FechaExpedicionFacturaAnulada", issueDate),
            ("Huella", previousFingerprint),
            ("FechaHoraHusoGenRegistro", generatedAt));

    /// <summary>SHA-256 of the input's UTF-8 bytes, upper-case hex.</summary>
    public static string Of(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(input)));
    }

    public static string Date(DateOnly date) => date.ToString("dd-MM-yyyy", CultureInfo.InvariantCulture);

    public static string Amount(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    public static string Timestamp(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static string Join(params (string Name, string? Value)[] fields) =>
        string.Join('&', fields.Select(f => f.Name + "=" + (f.Value ?? "").Trim()));
}
