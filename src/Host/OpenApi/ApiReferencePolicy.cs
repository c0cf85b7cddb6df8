using System.Security.Cryptography;
using System.Text;
using Ledger.Host.Http;
using Scalar.AspNetCore;

namespace Ledger.Host.OpenApi;

/// <summary>
/// The Content-Security-Policy of the <c>/docs</c> page only; every other response, Scalar's script included, keeps
/// <see cref="ContentSecurityPolicy.Default"/>. What the page may do, and why:
/// <list type="bullet">
/// <item><c>script-src 'self' 'nonce-…' 'sha256-…'</c>: Scalar's bundle and its loader from the Host itself, the inline
/// module that starts them (with the fresh nonce Scalar puts on its tags per request) and <see cref="JitlessScript"/>
/// (by its hash). No other inline script, no <c>eval</c>, no other origin.</item>
/// <item><c>style-src 'self' 'unsafe-inline'</c>: the bundle injects style elements of its own and sets style attributes
/// while it renders, which no nonce can cover (tried: under a nonce-only style-src the browser blocks them). Styles cannot
/// run code.</item>
/// <item><c>connect-src 'self'</c>: the page fetches <c>/openapi/v1.json</c>, and its "try it" client calls this API.</item>
/// <item><c>img-src 'self' data:</c>, <c>font-src 'self' data:</c>: the favicon, and icons and glyphs inlined in the bundle.</item>
/// <item><c>frame-ancestors 'none'</c>, <c>base-uri 'none'</c>, <c>form-action 'none'</c>: nobody frames the page or
/// sends its relative URLs or forms elsewhere.</item>
/// </list>
/// </summary>
internal sealed class ApiReferencePolicy : IContentSecurityPolicy
{
    /// <summary>
    /// Runs before Scalar's bundle. Zod, inside it, probes <c>Function("")</c> to decide whether to compile its validators;
    /// without <c>'unsafe-eval'</c> that probe is a CSP violation. Zod's own switch, <c>jitless</c>, set through the global
    /// config object the bundle reads (it does not export <c>z.config</c>), makes it validate without compiling.
    /// </summary>
    public const string JitlessScript = "globalThis.__zod_globalConfig = { jitless: true };";

    public static readonly ApiReferencePolicy Instance = new();

    private static readonly string JitlessScriptHash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(JitlessScript)));

    public string For(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // Only the page carries Scalar's nonce; its script and other files under /docs need no policy of their own.
        if (context.Items[ScalarOptions.NonceHttpContextItemKey] is not string nonce) return ContentSecurityPolicy.Default;
        return $"default-src 'none'; script-src 'self' 'nonce-{nonce}' 'sha256-{JitlessScriptHash}'; style-src 'self' 'unsafe-inline'; "
            + "connect-src 'self'; img-src 'self' data:; font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }
}
