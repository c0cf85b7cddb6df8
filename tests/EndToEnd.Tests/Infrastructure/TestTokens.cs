using System.Security.Cryptography;
using System.Text;
using Ledger.Host.Auth;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ledger.EndToEnd.Tests.Infrastructure;

/// <summary>Tokens for tests: good ones with chosen roles and tenant, and each kind of bad one the API must refuse.</summary>
public sealed class TestTokens(LedgerSigningKeys keys, string issuer, string audience)
{
    public string For(string tenant, params string[] roles) => Create(Claims(tenant, roles));

    /// <summary>A token with the given claims and a fresh lifetime; a null value leaves that claim out.</summary>
    public string Create(
        Dictionary<string, object?> claims, SecurityKey? key = null, string algorithm = SecurityAlgorithms.RsaSha256,
        DateTimeOffset? issuedAt = null, TimeSpan? lifetime = null, string? tokenIssuer = null)
    {
        var iat = issuedAt ?? DateTimeOffset.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = tokenIssuer ?? issuer,
            Audience = audience,
            IssuedAt = iat.UtcDateTime,
            NotBefore = iat.UtcDateTime,
            Expires = iat.Add(lifetime ?? TimeSpan.FromMinutes(10)).UtcDateTime,
            SigningCredentials = new SigningCredentials(key ?? keys.SigningKey!, algorithm),
            Claims = claims.Where(c => c.Value is not null).ToDictionary(c => c.Key, c => c.Value!),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    public static Dictionary<string, object?> Claims(string tenant, params string[] roles) => new()
    {
        ["sub"] = "tester",
        ["jti"] = Guid.NewGuid().ToString("N"),
        ["tenant"] = tenant,
        ["roles"] = roles,
    };

    public string Expired(string tenant) =>
        Create(Claims(tenant, LedgerRoles.Clerk), issuedAt: DateTimeOffset.UtcNow.AddHours(-2), lifetime: TimeSpan.FromMinutes(10));

    public string WithoutTenant() => Create(new Dictionary<string, object?>(Claims("x", LedgerRoles.Clerk)) { ["tenant"] = null });

    /// <summary>Signed by a key the app does not know, though it claims the app's key id.</summary>
    public string SignedByForeignKey(string tenant)
    {
        using var foreign = RSA.Create(2048);
        var key = new RsaSecurityKey(foreign.ExportParameters(true)) { KeyId = keys.KeyId };
        return Create(Claims(tenant, LedgerRoles.Clerk), key);
    }

    /// <summary>Signed by the app's own key, but without the <c>kid</c> header the API requires.</summary>
    public string WithoutKeyId(string tenant) =>
        Create(Claims(tenant, LedgerRoles.Clerk), new RsaSecurityKey(keys.SigningKey!.Rsa));

    /// <summary>HS256 with a shared secret: the algorithm-confusion attack the app must refuse.</summary>
    public string Hs256(string tenant)
    {
        var secret = new SymmetricSecurityKey(Encoding.UTF8.GetBytes("a-shared-secret-of-at-least-32-bytes!!")) { KeyId = keys.KeyId };
        return Create(Claims(tenant, LedgerRoles.Clerk), secret, SecurityAlgorithms.HmacSha256);
    }
}
