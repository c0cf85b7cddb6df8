using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Ledger.Host.Http;

namespace Ledger.Host.Auditing;

/// <summary>
/// <c>GET /verify</c>: the auditor's verifier, tools/ledger-verify.html, byte for byte (embedded in this assembly, so the
/// page a Host serves is the one an auditor can keep and open offline). Public, like the key set: it holds no data;
/// it verifies exports on the auditor's machine and calls the auditor API with the token the auditor pastes.
/// docs/ledger-format.md §15.
/// </summary>
public static class VerifierPage
{
    public const string Route = "/verify";

    private const string ResourceName = "Ledger.Host.ledger-verify.html";

    public static byte[] Html { get; } = Load();

    public static IEndpointRouteBuilder MapLedgerVerifierPage(this IEndpointRouteBuilder app)
    {
        app.MapGet(Route, (HttpContext http) =>
            {
                http.Response.Headers.CacheControl = "no-cache";
                return Results.Bytes(Html, "text/html; charset=utf-8");
            })
            .AllowAnonymous()
            .ExcludeFromDescription() // a page, not an operation of the API
            .WithMetadata(VerifierPagePolicy.Instance);
        return app;
    }

    private static byte[] Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"{ResourceName} is not embedded");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

/// <summary>
/// The verifier page's Content-Security-Policy. The page is one file, so its script and style are inline: the policy
/// allows exactly those two elements by their SHA-256 (computed from the embedded page at start, so an edit to the page
/// can never be blocked or let anything else in), nothing else inline, no <c>eval</c>. <c>connect-src 'self'</c>: the
/// page fetches this Host's auditor API and nothing else; a dropped export never leaves the browser.
/// <c>worker-src blob:</c>: the page runs its own script again in Web Workers (from a blob it makes of it) to verify a large
/// export on every core. <c>img-src data:</c> for its empty favicon (no request for one).
/// </summary>
internal sealed partial class VerifierPagePolicy : IContentSecurityPolicy
{
    public static readonly VerifierPagePolicy Instance = new();

    private static readonly string Policy = Build(Encoding.UTF8.GetString(VerifierPage.Html));

    public string For(HttpContext context) => Policy;

    internal static string Build(string html)
    {
        static string Hashes(IEnumerable<Match> elements) => string.Join(' ', elements.Select(m =>
            $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(m.Groups[1].Value)))}'"));
        return $"default-src 'none'; script-src {Hashes(Script().Matches(html))}; style-src {Hashes(Style().Matches(html))}; "
            + "worker-src blob:; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    [GeneratedRegex("<script>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex Script();

    [GeneratedRegex("<style>(.*?)</style>", RegexOptions.Singleline)]
    private static partial Regex Style();
}
