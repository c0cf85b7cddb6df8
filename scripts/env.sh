# shellcheck shell=bash
# Sourced (not executed) by scripts/services.sh, ./ledger and .ci/run: the environment handed to
# the dotnet processes. Every variable keeps a value the user already exported; a server counts as
# "external" (and is then never started locally) when its connection variable was set by the user.
#
#   LEDGER_PG_ADMIN        Npgsql string, superuser/owner     default Host=127.0.0.1;Port=55432;Username=postgres;Database=ledger
#   LEDGER_RABBITMQ        AMQP URL                           default amqp://guest:guest@127.0.0.1:55672/
#   LEDGER_PG_PORT         port of the local cluster          default 55432
#   LEDGER_RABBITMQ_PORT   AMQP port of the local node        default 55672
# and for the Host (`make run`, ./ledger), via ledger_app_env:
#   ConnectionStrings__LedgerAdmin  = LEDGER_PG_ADMIN
#   ConnectionStrings__Ledger       = Host=127.0.0.1;Port=55432;Username=ledger_app;Password=ledger_app;Database=ledger
#   ConnectionStrings__RabbitMq     = LEDGER_RABBITMQ
#   Ledger__Database__EnsureAppRole = true (local cluster only: the Host creates ledger_app)
#   Ledger__DataDirectory           = <repo>/.ledger (runtime files: keys/checkpoint-key.pem, keys/dev-signing-key.pem)
#   DOTNET_ENVIRONMENT / ASPNETCORE_ENVIRONMENT = Development, ASPNETCORE_URLS = http://127.0.0.1:5080

LEDGER_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export LEDGER_PG_PORT="${LEDGER_PG_PORT:-55432}"
export LEDGER_RABBITMQ_PORT="${LEDGER_RABBITMQ_PORT:-55672}"

if [[ -n "${LEDGER_PG_ADMIN:-}" || -n "${ConnectionStrings__LedgerAdmin:-}" ]]; then
  LEDGER_PG_EXTERNAL=1
  LEDGER_PG_ADMIN="${LEDGER_PG_ADMIN:-$ConnectionStrings__LedgerAdmin}"
else
  LEDGER_PG_EXTERNAL=0
  LEDGER_PG_ADMIN="Host=127.0.0.1;Port=$LEDGER_PG_PORT;Username=postgres;Database=ledger"
fi

if [[ -n "${LEDGER_RABBITMQ:-}" || -n "${ConnectionStrings__RabbitMq:-}" ]]; then
  LEDGER_RABBITMQ_EXTERNAL=1
  LEDGER_RABBITMQ="${LEDGER_RABBITMQ:-$ConnectionStrings__RabbitMq}"
else
  LEDGER_RABBITMQ_EXTERNAL=0
  LEDGER_RABBITMQ="amqp://guest:guest@127.0.0.1:$LEDGER_RABBITMQ_PORT/"
fi
export LEDGER_PG_ADMIN LEDGER_RABBITMQ LEDGER_PG_EXTERNAL LEDGER_RABBITMQ_EXTERNAL
export DOTNET_CLI_TELEMETRY_OPTOUT="${DOTNET_CLI_TELEMETRY_OPTOUT:-1}"
export DOTNET_NOLOGO="${DOTNET_NOLOGO:-1}"

# The Host's own configuration keys (ASP.NET Core maps `__` to `:`).
ledger_app_env() {
  export ConnectionStrings__LedgerAdmin="${ConnectionStrings__LedgerAdmin:-$LEDGER_PG_ADMIN}"
  export ConnectionStrings__Ledger="${ConnectionStrings__Ledger:-Host=127.0.0.1;Port=$LEDGER_PG_PORT;Username=ledger_app;Password=ledger_app;Database=ledger}"
  export ConnectionStrings__RabbitMq="${ConnectionStrings__RabbitMq:-$LEDGER_RABBITMQ}"
  # Local cluster only (development/tests): let the Host create the ledger_app login role.
  if [[ "$LEDGER_PG_EXTERNAL" == 0 ]]; then
    export Ledger__Database__EnsureAppRole="${Ledger__Database__EnsureAppRole:-true}"
  fi
  # One data directory (the checkpoint key) for `make run` and ./ledger alike, outside src/: the Host runs in src/Host,
  # and a file written there would make ./ledger think the sources changed and rebuild.
  export Ledger__DataDirectory="${Ledger__DataDirectory:-$LEDGER_ROOT/.ledger}"
  # Backups of the local cluster (ledger backup / restore-drill) and the WAL archive scripts/pg.sh configures.
  if [[ "$LEDGER_PG_EXTERNAL" == 0 ]]; then
    export Ledger__Backup__Directory="${Ledger__Backup__Directory:-$LEDGER_ROOT/.run/backups}"
    export Ledger__Backup__WalArchive="${Ledger__Backup__WalArchive:-$LEDGER_ROOT/.run/pg/wal-archive}"
  fi
  # Local development defaults: Development environment, HTTP on loopback only.
  export DOTNET_ENVIRONMENT="${DOTNET_ENVIRONMENT:-Development}"
  export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-$DOTNET_ENVIRONMENT}"
  export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://127.0.0.1:${LEDGER_HTTP_PORT:-5080}}"
}
