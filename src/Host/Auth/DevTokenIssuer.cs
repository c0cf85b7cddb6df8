using Ledger.Host.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ledger.Host.Auth;

/// <summary>Mints RS256 tokens with every claim the API requires; for development and the <c>ledger token</c> command.</summary>
public static class DevTokenIssuer
{
    public static string Issue(
        LedgerSigningKeys keys, LedgerAuthOptions options, string tenant, IReadOnlyCollection<string> roles,
        string subject, TimeSpan lifetime, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(options);
        var signingKey = keys.SigningKey
            ?? throw new InvalidOperationException("This process has no private signing key (only Ledger:Auth:PublicKeyPath is set).");
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.Add(lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(signingKey, SecurityAlgorithms.RsaSha256),
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = subject,
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
                [LedgerClaims.Tenant] = tenant,
                [LedgerClaims.Roles] = roles.ToArray(),
            },
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }
}
