using System.Xml;
using System.Xml.Linq;

namespace Ledger.Application.Invoicing.VeriFactu;

/// <summary>
/// Reads a registration record (<c>RegistroAlta</c>) or cancellation record (<c>RegistroAnulacion</c>) as another billing
/// system sent it to the AEAT (SuministroLR), keeping each hashed field exactly as written in the XML — <c>12.1</c>
/// stays <c>12.1</c>, <c>100</c> stays <c>100</c> — because the fingerprint covers the fields as sent: reformatting an
/// amount (Ledger writes two decimals) would change the hash and break the chain. Elements are matched by local name,
/// whatever their namespace prefix. The record's place in Ledger's chain (<see cref="VeriFactuRecord.Sequence"/>) and its
/// document ids are unknown here: 0 and empty.
/// </summary>
public static class VeriFactuRecordXml
{
    /// <exception cref="FormatException">not XML, no record element, or a hashed field missing.</exception>
    public static VeriFactuRecord Read(string xml)
    {
        ArgumentNullException.ThrowIfNull(xml);
        XElement root;
        try
        {
            // No DTD, no external entities: the text comes from outside.
            using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            root = XElement.Load(reader);
        }
        catch (XmlException e)
        {
            throw new FormatException($"Not a well-formed XML record: {e.Message}", e);
        }
        var record = root.DescendantsAndSelf().FirstOrDefault(e => e.Name.LocalName is "RegistroAlta" or "RegistroAnulacion")
            ?? throw new FormatException("No RegistroAlta or RegistroAnulacion element.");
        var id = Child(record, "IDFactura");
        var previous = Child(record, "Encadenamiento");
        // The first record of a chain says PrimerRegistro=S and hashes an empty previous fingerprint.
        var previousFingerprint = previous.Elements().FirstOrDefault(e => e.Name.LocalName == "RegistroAnterior") is { } anterior
            ? Field(anterior, "Huella") : "";
        var generatedAt = Field(record, "FechaHoraHusoGenRegistro");
        var fingerprint = Field(record, "Huella");
        return record.Name.LocalName == "RegistroAlta"
            ? new VeriFactuRecord(0, VeriFactuRecord.Registration, Guid.Empty, Guid.Empty, Field(id, "IDEmisorFactura"), Field(id, "NumSerieFactura"),
                Field(id, "FechaExpedicionFactura"), Field(record, "TipoFactura"), Field(record, "CuotaTotal"), Field(record, "ImporteTotal"),
                previousFingerprint, generatedAt, fingerprint)
            : new VeriFactuRecord(0, VeriFactuRecord.Cancellation, Guid.Empty, Guid.Empty, Field(id, "IDEmisorFacturaAnulada"),
                Field(id, "NumSerieFacturaAnulada"), Field(id, "FechaExpedicionFacturaAnulada"), null, null, null, previousFingerprint, generatedAt,
                fingerprint);
    }

    private static XElement Child(XElement parent, string name) =>
        parent.Elements().FirstOrDefault(e => e.Name.LocalName == name) ?? throw new FormatException($"{parent.Name.LocalName} has no {name}.");

    // The text as written; trimming is the fingerprint's rule (VeriFactuFingerprint), applied when hashing.
    private static string Field(XElement parent, string name) => Child(parent, name).Value;
}
