using Ledger.Host.Configuration;
using Ledger.Host.Errors;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ledger.Host.Auth;

public static class AuthServices
{
    public static IServiceCollection AddLedgerAuth(this IServiceCollection services)
    {
        services.AddSingleton(sp => SigningKeyFiles.Load(
            sp.GetRequiredService<IOptions<LedgerAuthOptions>>().Value,
            sp.GetRequiredService<IConfiguration>(),
            sp.GetRequiredService<IHostEnvironment>().IsDevelopment(),
            KeyProtectionOptions.Resolve(sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<IHostEnvironment>().EnvironmentName)));

        services.AddHostedService<KeyFilesCheck>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<LedgerSigningKeys, IOptions<LedgerAuthOptions>>((jwt, keys, auth) => Configure(jwt, keys, auth.Value));
        services.AddAuthorizationBuilder().AddLedgerPolicies();
        return services;
    }

    private static void Configure(JwtBearerOptions jwt, LedgerSigningKeys keys, LedgerAuthOptions auth)
    {
        jwt.MapInboundClaims = false;
        jwt.RequireHttpsMetadata = false;
        jwt.IncludeErrorDetails = false;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = auth.Issuer,
            ValidAudience = auth.Audience,
            IssuerSigningKey = keys.ValidationKey,
            TryAllIssuerSigningKeys = false,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireAudience = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            NameClaimType = LedgerClaims.Subject,
            RoleClaimType = LedgerClaims.Roles,
        };
        jwt.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                if (TokenClaimRules.Violation(context.SecurityToken as JsonWebToken, context.Principal) is { } violation)
                    context.Fail(violation);
                return Task.CompletedTask;
            },
            OnChallenge = async context =>
            {
                context.HandleResponse();
                context.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is null
                    ? "Bearer"
                    : "Bearer error=\"invalid_token\"";
                await Problems.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, ProblemCodes.Unauthenticated,
                    "Authentication required", "A valid bearer token is required.");
            },
            OnForbidden = context => Problems.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, ProblemCodes.Forbidden,
                "Forbidden", "The token's roles do not allow this action."),
        };
    }
}
