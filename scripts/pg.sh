#!/usr/bin/env bash
# Throwaway PostgreSQL 15 cluster for local development and tests.
#
#   scripts/pg.sh start    # init (first time) + start + wait until ready; idempotent
#   scripts/pg.sh stop     # fast shutdown
#   scripts/pg.sh status   # exit 0 if running, 3 if not
#   scripts/pg.sh url      # print the admin connection string (Npgsql format)
#
# Data lives under <project>/.run/pg (git-ignored). The cluster listens on 127.0.0.1 only, port
# $LEDGER_PG_PORT (default 55432), and its unix socket lives inside .run/pg.
#
# SECURITY: this cluster uses `trust` authentication for 127.0.0.1 and the local socket. It is a
# throwaway dev/test cluster reachable only from this machine; never use this setup for real data.
#
# The PostgreSQL server refuses to run as root, so when invoked as root the server binaries run as
# the `postgres` OS user (override with LEDGER_PG_OS_USER), which owns the data directory.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${LEDGER_PG_PORT:-55432}"
BASE="$ROOT/.run/pg"
DATA="$BASE/data"
SOCK="$BASE/socket"
LOG="$BASE/postgres.log"
# WAL archive for point-in-time restores (ledger backup / restore-drill). The cluster archives only once a backup
# has written ENABLED there, so test runs that never back up do not fill the disk with WAL.
ARCHIVE="$BASE/wal-archive"
DB=ledger
START_TIMEOUT="${LEDGER_PG_START_TIMEOUT:-60}"

log() { echo "pg: $*" >&2; }
die() { echo "pg: error: $*" >&2; exit 1; }

admin_url() { echo "Host=127.0.0.1;Port=$PORT;Username=postgres;Database=$DB"; }

# Locate the PostgreSQL 15 server binaries (PATH first, then the Debian location).
find_bin() {
  local name="$1" p
  if p="$(command -v "$name" 2>/dev/null)"; then echo "$p"; return; fi
  for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    if [[ -x "$d/$name" ]]; then echo "$d/$name"; return; fi
  done
  die "'$name' not found (need PostgreSQL 15 server binaries on PATH)"
}
INITDB="$(find_bin initdb)"
PG_CTL="$(find_bin pg_ctl)"
find_bin postgres >/dev/null

# Run a server binary as the cluster owner.
if [[ "$(id -u)" == 0 ]]; then
  OS_USER="${LEDGER_PG_OS_USER:-postgres}"
  id "$OS_USER" >/dev/null 2>&1 || die "OS user '$OS_USER' does not exist (postgres refuses to run as root)"
  as_owner() { runuser -u "$OS_USER" -- "$@"; }
else
  OS_USER="$(id -un)"
  as_owner() { "$@"; }
fi

# The owner must be able to traverse every parent directory of .run/pg. Add o+x (search only, not
# read) where it is missing; this does not expose file contents.
ensure_traversable() {
  [[ "$(id -u)" == 0 ]] || return 0
  local d="$BASE"
  while [[ "$d" != "/" ]]; do
    d="$(dirname "$d")"
    if ! runuser -u "$OS_USER" -- test -x "$d"; then
      log "granting o+x on $d so '$OS_USER' can reach $BASE"
      chmod o+x "$d"
    fi
  done
}

is_running() {
  [[ -f "$DATA/PG_VERSION" ]] || return 1
  as_owner "$PG_CTL" -D "$DATA" status >/dev/null 2>&1
}

wait_ready() {
  local deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if pg_isready -q -h 127.0.0.1 -p "$PORT" -d postgres -U postgres 2>/dev/null; then return 0; fi
    if ! is_running; then
      tail -n 30 "$LOG" >&2 || true
      die "postgres exited during startup (log: $LOG)"
    fi
    sleep 0.2
  done
  tail -n 30 "$LOG" >&2 || true
  die "postgres not ready after ${START_TIMEOUT}s (log: $LOG)"
}

init_cluster() {
  log "initialising cluster in $DATA"
  mkdir -p "$BASE"
  ensure_traversable
  mkdir -p "$DATA" "$SOCK"
  chmod 700 "$DATA"
  [[ "$(id -u)" == 0 ]] && chown -R "$OS_USER:" "$BASE"
  as_owner "$INITDB" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  # Dev/test settings. `trust` auth: throwaway cluster, loopback only (see header).
  cat >>"$DATA/postgresql.conf" <<EOF

# --- ledger dev/test cluster (scripts/pg.sh) ---
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCK'
max_connections = 300
shared_buffers = 256MB
logging_collector = off
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
EOF
  cat >"$DATA/pg_hba.conf" <<EOF
# Throwaway dev/test cluster: trust on loopback and the private socket only.
local   all all              trust
host    all all 127.0.0.1/32 trust
EOF
  configure_archiving
}

# WAL archiving and base backups (pg_basebackup over a loopback replication connection), added to clusters made
# before they existed too; archive_mode takes effect at the next start.
configure_archiving() {
  mkdir -p "$ARCHIVE"
  if [[ "$(id -u)" == 0 ]]; then chown "$OS_USER:" "$ARCHIVE"; fi
  if ! grep -q "ledger WAL archive" "$DATA/postgresql.conf"; then
    cat >>"$DATA/postgresql.conf" <<EOF

# --- ledger WAL archive (scripts/pg.sh) ---
archive_mode = on
archive_command = 'if [ -f $ARCHIVE/ENABLED ]; then test ! -f $ARCHIVE/%f && cp %p $ARCHIVE/%f; fi'
archive_timeout = 60
EOF
  fi
  # Whole statements in pg_stat_activity (tests read a waiting statement back from there; the default keeps 1 kB).
  if ! grep -q "^track_activity_query_size" "$DATA/postgresql.conf"; then
    echo "track_activity_query_size = 16384" >>"$DATA/postgresql.conf"
  fi
  if ! grep -q "replication" "$DATA/pg_hba.conf"; then
    cat >>"$DATA/pg_hba.conf" <<EOF
local   replication all              trust
host    replication all 127.0.0.1/32 trust
EOF
  fi
}

cmd_start() {
  if [[ ! -f "$DATA/PG_VERSION" ]]; then init_cluster; else ensure_traversable; configure_archiving; fi
  if is_running; then
    log "already running on 127.0.0.1:$PORT"
  else
    # The port is baked into postgresql.conf at init; honour a changed LEDGER_PG_PORT too.
    as_owner "$PG_CTL" -D "$DATA" -l "$LOG" -o "-p $PORT -k $SOCK" -s start -W >/dev/null \
      || { tail -n 30 "$LOG" >&2 || true; die "pg_ctl start failed (log: $LOG)"; }
    wait_ready
    log "started on 127.0.0.1:$PORT (data: $DATA)"
  fi
  wait_ready
  if [[ "$(psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -XtAc "select 1 from pg_database where datname='$DB'")" != 1 ]]; then
    psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -Xq -v ON_ERROR_STOP=1 -c "create database $DB" >/dev/null
    log "created database '$DB'"
  fi
  admin_url
}

cmd_stop() {
  if is_running; then
    as_owner "$PG_CTL" -D "$DATA" -m fast -s -w -t 60 stop
    log "stopped"
  else
    log "not running"
  fi
}

cmd_status() {
  if is_running; then
    log "running on 127.0.0.1:$PORT (data: $DATA)"
    admin_url
  else
    log "not running"
    return 3
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  url) admin_url ;;
  *) echo "usage: $0 start|stop|status|url" >&2; exit 2 ;;
esac
