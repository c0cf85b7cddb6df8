# syntax=docker/dockerfile:1
# Ledger Host image: `serve` by default; the same image runs the operator CLI
# (docker compose run --rm ledger-1 dotnet ledger.dll verify ...).

# ---- build ------------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Restore first with only the project files and MSBuild props, so the (slow) restore layer is
# reused until a dependency changes. Host's project references pull in the rest of src/.
# schemas/ comes first too: src/Messaging imports schemas/SchemaGuard.targets (restore evaluates it)
# and embeds the event schemas. .editorconfig: the analyzers judge the image's build as they do ours.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY schemas/ schemas/
COPY src/Domain/Domain.csproj             src/Domain/
COPY src/Application/Application.csproj   src/Application/
COPY src/Projections/Projections.csproj   src/Projections/
COPY src/EventStore/EventStore.csproj     src/EventStore/
COPY src/Messaging/Messaging.csproj       src/Messaging/
COPY src/Host/Host.csproj                 src/Host/
RUN dotnet restore src/Host/Host.csproj

COPY src/ src/
# Wolverine's handlers are the generated code committed in src/Host/Internal/Generated (`make codegen`), compiled in and
# loaded with TypeLoadMode.Static: nothing is compiled or written at run time (the runtime image has no Roslyn).
RUN dotnet publish src/Host/Host.csproj -c Release --no-restore -o /app /p:UseAppHost=false

# ---- runtime ----------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./

# The aspnet image listens on 8080 (ASPNETCORE_HTTP_PORTS=8080) and ships a non-root `app` user.
ENV ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_ENVIRONMENT=Production \
    Ledger__Auth__SigningKeyPath=/keys/signing-key.pem
EXPOSE 8080
# The checkpoint signer's record of what it signed (Ledger:Checkpoints:SignedHeadsPath; docker-compose.yml mounts a
# volume here): owned by the app user, so a fresh named volume, which takes the image's ownership, is writable by it.
RUN mkdir -p /signer && chown "$APP_UID" /signer && chmod 700 /signer
# The witness directory docker-compose.yml mounts (Ledger:Witnesses:Directory), owned by the app user likewise.
RUN mkdir -p /witness && chown "$APP_UID" /witness && chmod 700 /witness
USER $APP_UID

# `docker stop` sends SIGTERM: the Host stops accepting, lets requests in flight finish and its background
# roles release their leases, for up to Ledger:Shutdown:TimeoutSeconds (30 s). Give the container longer
# than that before SIGKILL (docker-compose.yml: stop_grace_period).
STOPSIGNAL SIGTERM

# The aspnet image has neither curl nor wget, and `ledger health-check` does not exist (yet). Its
# bash (Debian/Ubuntu build, /dev/tcp enabled) can speak enough HTTP/1.0 to read the status line,
# so no extra package (or root apt step) is needed:
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/ready HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && IFS= read -r -t 4 status <&3 && [[ $status == *' 200 '* ]]"]

CMD ["dotnet", "ledger.dll", "serve"]
