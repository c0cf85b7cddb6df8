#!/usr/bin/env bash
# Debian's Chromium for the browser tests (ApiReferencePageTests; the verifier page's tests, tests/EventStore.Tests/Browser
# and VerifierPageTests): installs the package when it is missing (as root, like CI; Playwright's own browser download
# cannot work without the internet), then prints the executable's path. Idempotent; .ci/run calls it before the tests.
set -euo pipefail

BIN=/usr/bin/chromium
LOG="${TMPDIR:-/tmp}/ledger-chromium-apt.log"

if [[ ! -x "$BIN" ]]; then
  if [[ "$(id -u)" != 0 ]]; then
    echo "chromium: not installed and we are not root; install it: apt-get install chromium" >&2
    exit 1
  fi
  echo "chromium: not installed: installing via apt" >&2
  if ! {
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=300 update -qq
    apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium
  } >"$LOG" 2>&1; then
    tail -n 30 "$LOG" >&2
    echo "chromium: apt-get install chromium failed" >&2
    exit 1
  fi
fi
echo "$BIN"
