namespace Ledger.Host.Http;

/// <summary>
/// The Content-Security-Policy of a response. An API answers JSON that no browser should run anything from, so the
/// default forbids everything; an endpoint that serves a page a browser must run (the API reference at <c>/docs</c>)
/// carries its own policy as endpoint metadata, and only its responses are loosened.
/// </summary>
public interface IContentSecurityPolicy
{
    string For(HttpContext context);
}

public static class ContentSecurityPolicy
{
    public const string Default = "default-src 'none'; frame-ancestors 'none'";

    /// <summary>The policy of the endpoint that answers, if it declares one; otherwise the default.</summary>
    public static string Of(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<IContentSecurityPolicy>()?.For(context) ?? Default;
}
