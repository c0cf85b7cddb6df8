#!/usr/bin/env bash
# Local PostgreSQL + RabbitMQ for development and tests.
#
#   scripts/services.sh up        start what is not running yet (and not external); remember what we started
#   scripts/services.sh down      stop only what `up`/`exec --keep` started (listed in .run/started-by-us)
#   scripts/services.sh status
#   scripts/services.sh exec [--keep] [--app-env] -- CMD ARGS...
#        up, export the environment (scripts/env.sh), run CMD, then stop what this call started
#        (unless --keep); exits with CMD's exit code. --app-env also exports the Host's
#        ConnectionStrings__* (see scripts/env.sh).
#
# A server is "external" and never started here when the user exported its connection variable:
# LEDGER_PG_ADMIN (or ConnectionStrings__LedgerAdmin) for PostgreSQL, LEDGER_RABBITMQ (or
# ConnectionStrings__RabbitMq) for RabbitMQ.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"
STATE="$ROOT/.run/started-by-us"

log() { echo "services: $*" >&2; }

svc_script() { case "$1" in pg) echo "$ROOT/scripts/pg.sh" ;; rabbitmq) echo "$ROOT/scripts/rabbitmq.sh" ;; esac; }
svc_external() {
  case "$1" in
    pg) [[ "$LEDGER_PG_EXTERNAL" == 1 ]] ;;
    rabbitmq) [[ "$LEDGER_RABBITMQ_EXTERNAL" == 1 ]] ;;
  esac
}

recorded() { [[ -f "$STATE" ]] && grep -qx "$1" "$STATE"; }
record() { mkdir -p "$(dirname "$STATE")"; recorded "$1" || echo "$1" >>"$STATE"; }
unrecord() { [[ -f "$STATE" ]] || return 0; grep -vx "$1" "$STATE" >"$STATE.tmp" || true; mv "$STATE.tmp" "$STATE"; [[ -s "$STATE" ]] || rm -f "$STATE"; }

STARTED_NOW=()
cmd_up() {
  local s script
  for s in pg rabbitmq; do
    script="$(svc_script "$s")"
    if svc_external "$s"; then log "$s: external (configured by environment), not starting"; continue; fi
    if "$script" status >/dev/null 2>&1; then log "$s: already running"; continue; fi
    "$script" start >/dev/null
    record "$s"
    STARTED_NOW+=("$s")
  done
}

stop_one() { "$(svc_script "$1")" stop || true; unrecord "$1"; }

cmd_down() {
  if [[ ! -f "$STATE" ]]; then log "nothing was started by us"; return 0; fi
  local s
  for s in $(tac "$STATE"); do stop_one "$s"; done
  rm -f "$STATE"
}

cmd_status() {
  local s rc=0
  for s in pg rabbitmq; do
    if svc_external "$s"; then log "$s: external"; continue; fi
    "$(svc_script "$s")" status >/dev/null 2>&1 && log "$s: running$(recorded "$s" && echo ' (started by us)')" || { log "$s: not running"; rc=3; }
  done
  echo "LEDGER_PG_ADMIN=$LEDGER_PG_ADMIN"
  echo "LEDGER_RABBITMQ=$LEDGER_RABBITMQ"
  return $rc
}

cmd_exec() {
  local keep=0
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --keep) keep=1; shift ;;
      --app-env) ledger_app_env; shift ;;
      --) shift; break ;;
      *) break ;;
    esac
  done
  [[ $# -gt 0 ]] || { echo "usage: $0 exec [--keep] [--app-env] -- CMD..." >&2; exit 2; }
  if ((keep == 0)); then
    # Stop what this call started, whatever happens to CMD (failure, Ctrl-C).
    trap 'for s in "${STARTED_NOW[@]}"; do stop_one "$s"; done' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
  fi
  cmd_up
  local rc=0
  "$@" || rc=$?
  exit $rc
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  exec) shift; cmd_exec "$@" ;;
  *) echo "usage: $0 up|down|status|exec [--keep] [--app-env] -- CMD..." >&2; exit 2 ;;
esac
