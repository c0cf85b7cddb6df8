using Ledger.Host.Http;
using Scalar.AspNetCore;

namespace Ledger.Host.OpenApi;

/// <summary>
/// The Content-Security-Policy of the <c>/docs</c> page only; every other response keeps
/// <see cref="ContentSecurityPolicy.Default"/>. What the page may do, and why:
/// <list type="bullet">
/// <item><c>script-src 'self' 'nonce-…'</c>: Scalar's bundle from the Host itself and the one inline module that starts
/// it, with the fresh nonce Scalar puts on it per request. No other inline script, no eval, no other origin.</item>
/// <item><c>style-src 'self' 'unsafe-inline'</c>: the bundle injects its stylesheets and sets style attributes while it
/// renders; a nonce cannot cover style attributes. Styles cannot run code.</item>
/// <item><c>connect-src 'self'</c>: the page fetches <c>/openapi/v1.json</c> and its "try it" client calls this API.</item>
/// <item><c>img-src 'self' data:</c>, <c>font-src 'self' data:</c>: icons and glyphs inlined in the bundle.</item>
/// <item><c>frame-ancestors 'none'</c>, <c>base-uri 'none'</c>, <c>form-action 'none'</c>: nobody frames the page or
/// redirects its relative URLs or forms elsewhere.</item>
/// </list>
/// </summary>
internal sealed class ApiReferencePolicy : IContentSecurityPolicy
{
    public static readonly ApiReferencePolicy Instance = new();

    public string For(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var nonce = context.Items[ScalarOptions.NonceHttpContextItemKey] as string;
        var scripts = nonce is null ? "'self'" : $"'self' 'nonce-{nonce}'";
        return $"default-src 'none'; script-src {scripts}; style-src 'self' 'unsafe-inline'; connect-src 'self'; "
            + "img-src 'self' data:; font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }
}
