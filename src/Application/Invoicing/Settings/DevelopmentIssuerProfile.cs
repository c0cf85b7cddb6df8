using Ledger.Application.Audit;
using Ledger.EventStore;

namespace Ledger.Application.Invoicing.Settings;

/// <summary>
/// In development only (<c>Ledger:Invoicing:DevelopmentIssuerProfile</c>), a tenant that needs an issuer profile and
/// has none gets <see cref="Profile"/> at that first use, so a new tenant's first paid order issues and stamps its
/// invoice. It is provided as a real <c>fiscal.issuer.profile_set</c> event (source <c>development_default</c>, actor
/// <see cref="Actor"/>) with its audit entry, in one append of its own: the chain shows when and why the tenant got it,
/// and the tenant can replace it through the API like any profile. Two first uses at once: one append wins (the
/// stream must not exist), the other finds the profile.
/// </summary>
public sealed class DevelopmentIssuerProfile(IEventStore store, TimeProvider clock) : IMissingIssuerProfile
{
    public const string Actor = "ledger-development-default";
    public const string Source = "development_default";

    /// <summary>A Spanish-style issuer without a tax id (so no VERI*FACTU), euro books, taxing orders at the general VAT rate.</summary>
    public static IssuerProfile Profile { get; } =
        new("Development issuer (not for real invoices)", "ES", null, "EUR", "Europe/Madrid", "DEV", "DEV-R", "es.vat.general", false);

    public async Task ProvideAsync(string tenantId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var context = new CommandContext(tenantId, Actor, now, Guid.NewGuid().ToString("N"), null, null, Source);
        var stream = SettingsEventCodec.IssuerStream;
        var entry = new CommandAuditEntry("provide development issuer profile", stream, AuditResult.Success, null, null,
            [new AuditedStream(stream, 1)], new AuditClient(null, null));
        try
        {
            await store.AppendAsync(tenantId,
            [
                new StreamAppend(AuditStreams.For(stream), ExpectedVersion.Any, [AuditEventCodec.ToAppend(entry, context)]),
                new StreamAppend(stream, ExpectedVersion.NoStream, [FiscalEvents.ToAppend(SettingsEventCodec.Encode(Profile, Source), context)]),
            ], ct).ConfigureAwait(false);
        }
        catch (ConcurrencyException)
        {
            // Provided (or set through the API) by someone else meanwhile: theirs stands.
        }
    }
}
