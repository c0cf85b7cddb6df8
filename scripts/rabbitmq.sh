#!/usr/bin/env bash
# Throwaway RabbitMQ node for local development and tests.
#
#   scripts/rabbitmq.sh start     # install rabbitmq-server if missing, start node, wait until ready
#   scripts/rabbitmq.sh stop      # rabbitmqctl stop; falls back to killing the node's process group
#   scripts/rabbitmq.sh status    # exit 0 if the node answers a ping, 3 if not
#   scripts/rabbitmq.sh url       # print the AMQP URL
#   scripts/rabbitmq.sh ctl ARGS  # run rabbitmqctl against this node (e.g. `ctl list_queues`)
#
# Everything lives under <project>/.run/rabbitmq (git-ignored): mnesia, logs, config, and the HOME
# (hence the Erlang cookie) shared by the node and the CLI tools, so they always agree on the cookie.
# All listeners are bound to 127.0.0.1 and use ports of our own, so a system RabbitMQ/epmd on the
# default ports (5672/25672/4369) does not clash:
#   AMQP          127.0.0.1:$LEDGER_RABBITMQ_PORT        (default 55672)
#   distribution  127.0.0.1:$LEDGER_RABBITMQ_DIST_PORT   (default 55673)
#   CLI dist      127.0.0.1:55680-55689                  (derived: dist port + 7..16)
#   epmd          127.0.0.1:$LEDGER_RABBITMQ_EPMD_PORT   (default 54369)
# The default guest/guest user is only allowed from loopback (RabbitMQ's default), which is all we need.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${LEDGER_RABBITMQ_PORT:-55672}"
DIST_PORT="${LEDGER_RABBITMQ_DIST_PORT:-55673}"
EPMD_PORT="${LEDGER_RABBITMQ_EPMD_PORT:-54369}"
CTL_PORT_MIN=$((DIST_PORT + 7))
CTL_PORT_MAX=$((DIST_PORT + 16))
NODENAME="${LEDGER_RABBITMQ_NODENAME:-ledger@localhost}"
BASE="$ROOT/.run/rabbitmq"
START_TIMEOUT="${LEDGER_RABBITMQ_START_TIMEOUT:-60}"
OS_USER=rabbitmq
# The real scripts, not the Debian wrappers in /usr/sbin (which reset HOME and switch user themselves).
RMQ_BIN=/usr/lib/rabbitmq/bin

log() { echo "rabbitmq: $*" >&2; }
die() { echo "rabbitmq: error: $*" >&2; exit 1; }

amqp_url() { echo "amqp://guest:guest@127.0.0.1:$PORT/"; }

is_installed() { [[ -x "$RMQ_BIN/rabbitmq-server" ]] && id "$OS_USER" >/dev/null 2>&1; }

install_rabbitmq() {
  [[ "$(id -u)" == 0 ]] || die "rabbitmq-server is not installed and we are not root; install it: apt-get install rabbitmq-server"
  log "rabbitmq-server not installed: installing via apt"
  local t0=$SECONDS policy=/usr/sbin/policy-rc.d ours=0 epmd_before=0
  # Was a default-port epmd already there (someone else's)? Then we leave it alone afterwards.
  if (exec 3<>/dev/tcp/127.0.0.1/4369) 2>/dev/null; then epmd_before=1; fi
  # Keep the package's maintainer scripts from starting the system service (which would take the
  # default ports 5672/25672 and an epmd on 0.0.0.0:4369): policy-rc.d exit 101 = "action forbidden".
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    ours=1
  fi
  local rc=0
  {
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confdef \
      -o Dpkg::Options::=--force-confold rabbitmq-server
  } >"${TMPDIR:-/tmp}/ledger-rabbitmq-apt.log" 2>&1 || rc=$?
  ((ours)) && rm -f "$policy"
  if ((rc != 0)); then
    tail -n 30 "${TMPDIR:-/tmp}/ledger-rabbitmq-apt.log" >&2
    die "apt-get install rabbitmq-server failed (rc=$rc)"
  fi
  # Belt and braces: if something started the system node anyway (e.g. a custom policy-rc.d that
  # allows it), stop it, and its epmd on the default port.
  if command -v service >/dev/null 2>&1; then service rabbitmq-server stop >/dev/null 2>&1 || true; fi
  # Even with the service start denied, the package's maintainer scripts run Erlang CLI tools that
  # leave an epmd daemon on 0.0.0.0:4369 behind. It is ours (started by this install): stop it.
  if ((epmd_before == 0)) && (exec 3<>/dev/tcp/127.0.0.1/4369) 2>/dev/null; then
    env -u ERL_EPMD_PORT /usr/lib/erlang/bin/epmd -kill >/dev/null 2>&1 || true
  fi
  is_installed || die "installation finished but $RMQ_BIN/rabbitmq-server or user '$OS_USER' is missing"
  log "installed $(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null) in $((SECONDS - t0))s"
}

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

# The environment shared by the node and every CLI call: same node name, ports, HOME (cookie).
node_env() {
  cat <<EOF
HOME=$BASE/home
PATH=$RMQ_BIN:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
LANG=C.UTF-8
LC_ALL=C.UTF-8
RABBITMQ_NODENAME=$NODENAME
RABBITMQ_USE_LONGNAME=false
RABBITMQ_CONF_ENV_FILE=$BASE/rabbitmq-env.conf
RABBITMQ_CONFIG_FILE=$BASE/rabbitmq.conf
RABBITMQ_ADVANCED_CONFIG_FILE=$BASE/advanced.config
RABBITMQ_ENABLED_PLUGINS_FILE=$BASE/enabled_plugins
RABBITMQ_MNESIA_BASE=$BASE/mnesia
RABBITMQ_LOG_BASE=$BASE/log
RABBITMQ_PID_FILE=$BASE/rabbitmq.pid
RABBITMQ_DIST_PORT=$DIST_PORT
RABBITMQ_CTL_DIST_PORT_MIN=$CTL_PORT_MIN
RABBITMQ_CTL_DIST_PORT_MAX=$CTL_PORT_MAX
ERL_EPMD_PORT=$EPMD_PORT
ERL_EPMD_ADDRESS=127.0.0.1
RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}
RABBITMQ_CTL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}
EOF
}

# Run a command as the rabbitmq user with exactly the node environment.
as_node() {
  local -a envs=()
  local line
  while IFS= read -r line; do envs+=("$line"); done < <(node_env)
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u "$OS_USER" -- env -i "${envs[@]}" "$@"
  else
    env -i "${envs[@]}" "$@"
  fi
}

ctl() { as_node "$RMQ_BIN/rabbitmqctl" "$@"; }

prepare_dirs() {
  mkdir -p "$BASE"
  ensure_traversable
  mkdir -p "$BASE/home" "$BASE/mnesia" "$BASE/log"
  cat >"$BASE/rabbitmq.conf" <<EOF
# Generated by scripts/rabbitmq.sh - throwaway dev/test node, loopback only.
listeners.tcp.default = 127.0.0.1:$PORT
loopback_users.guest = true
log.file.level = info
log.console = false
disk_free_limit.absolute = 50MB
EOF
  : >"$BASE/rabbitmq-env.conf"
  # No plugins (management is not needed); an explicit empty list.
  echo '[].' >"$BASE/enabled_plugins"
  # One cookie shared by node and CLI: $HOME/.erlang.cookie of the rabbitmq user with HOME above.
  if [[ ! -s "$BASE/home/.erlang.cookie" ]]; then
    (umask 077; head -c 30 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr 'a-f' 'A-F' >"$BASE/home/.erlang.cookie")
  fi
  if [[ "$(id -u)" == 0 ]]; then chown -R "$OS_USER:" "$BASE"; fi
  chmod 400 "$BASE/home/.erlang.cookie"
}

ping_node() { as_node "$RMQ_BIN/rabbitmq-diagnostics" -q ping >/dev/null 2>&1; }
amqp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }
node_pid() {
  local pid
  [[ -s "$BASE/runner.pid" ]] || return 1
  pid="$(cat "$BASE/runner.pid")"
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

is_running() { ping_node; }

cmd_start() {
  is_installed || install_rabbitmq
  prepare_dirs
  if is_running; then
    log "already running ($NODENAME, AMQP on 127.0.0.1:$PORT)"
    amqp_url
    return 0
  fi
  if amqp_open; then
    die "something else already listens on 127.0.0.1:$PORT (not our node $NODENAME); set LEDGER_RABBITMQ_PORT"
  fi
  local t0=$SECONDS
  # Detached: own session/process group (setsid), console output to a file in .run.
  setsid bash -c "$(declare -f as_node node_env); $(declare -p BASE RMQ_BIN NODENAME PORT DIST_PORT CTL_PORT_MIN CTL_PORT_MAX EPMD_PORT OS_USER); as_node $RMQ_BIN/rabbitmq-server" \
    >"$BASE/log/console.log" 2>&1 </dev/null &
  echo $! >"$BASE/runner.pid"
  local deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if amqp_open && ping_node; then
      log "started $NODENAME in $((SECONDS - t0))s (AMQP on 127.0.0.1:$PORT, logs in $BASE/log)"
      amqp_url
      return 0
    fi
    if ! node_pid >/dev/null; then
      tail -n 40 "$BASE/log/console.log" >&2 || true
      die "node exited during startup (logs in $BASE/log)"
    fi
    sleep 0.5
  done
  tail -n 40 "$BASE/log/console.log" >&2 || true
  die "node not ready after ${START_TIMEOUT}s (logs in $BASE/log)"
}

kill_group() {
  local pid="$1" sig="$2"
  kill "-$sig" -- "-$pid" 2>/dev/null || true
}

cmd_stop() {
  is_installed || { log "not installed"; return 0; }
  local pid=""
  pid="$(node_pid || true)"
  if ping_node; then
    ctl stop >/dev/null 2>&1 || log "rabbitmqctl stop failed; killing the process group"
  fi
  if [[ -n "$pid" ]]; then
    local deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      kill_group "$pid" TERM
      deadline=$((SECONDS + 10))
      while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
      kill -0 "$pid" 2>/dev/null && kill_group "$pid" KILL
    fi
  fi
  rm -f "$BASE/runner.pid"
  # epmd daemonises out of our process group; stop ours (on our private port) too.
  if command -v epmd >/dev/null 2>&1 || [[ -x /usr/lib/erlang/bin/epmd ]]; then
    as_node "$(command -v epmd || echo /usr/lib/erlang/bin/epmd)" -port "$EPMD_PORT" -kill >/dev/null 2>&1 || true
  fi
  if [[ -n "$pid" ]]; then log "stopped"; else log "not running"; fi
}

cmd_status() {
  if is_installed && is_running; then
    log "running ($NODENAME, AMQP on 127.0.0.1:$PORT)"
    amqp_url
  else
    log "not running"
    return 3
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  url) amqp_url ;;
  ctl) shift; ctl "$@" ;;
  install) is_installed && log "already installed" || install_rabbitmq ;;
  *) echo "usage: $0 start|stop|status|url|install|ctl ARGS" >&2; exit 2 ;;
esac
