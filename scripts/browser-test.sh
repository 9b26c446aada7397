#!/usr/bin/env bash
# `make test-browser`: the MANRS+ certification walked through the pages in a real, headless
# Chromium (selenium), as an applicant and two auditors in three separate browser sessions, at
# desktop (1280 px) and phone (390 px) width, against the debug build and a fresh demo database
# (embedded PostgreSQL in a temporary folder, a free port). scripts/browser_test.py says what
# it checks.
#
# Installs Debian's chromium and chromium-driver with apt when missing (as root; otherwise it
# says what to install), and selenium from PyPI into a venv cached under .build/ (BROWSER_VENV).
set -euo pipefail
cd "$(dirname "$0")/.."
selenium_version=4.27.1
venv="${BROWSER_VENV:-.build/browser-venv-$selenium_version}"

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${missing[*]} with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing ${missing[*]}: install them (sudo apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
fi
if ! "$venv/bin/python" -c "import selenium, sys; sys.exit(selenium.__version__ != '$selenium_version')" 2>/dev/null; then
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "Installing python3-venv with apt-get"
      DEBIAN_FRONTEND=noninteractive apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
      rm -rf "$venv"
      python3 -m venv "$venv"
    else
      echo "python3 -m venv failed: install python3-venv (sudo apt-get install -y python3-venv)" >&2
      exit 1
    fi
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check "selenium==$selenium_version"
fi

swift build --product manrs-plus
bin=.build/debug/manrs-plus
port="${BROWSER_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
data="$(mktemp -d /tmp/manrs-browser.XXXXXX)"
# Run as root, the cluster belongs to the postgres user, which must be able to enter the folder.
chmod 755 "$data"
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  # A server that crashed leaves its embedded PostgreSQL running: stop it before removing its folder.
  if [ -f "$data/postgres/postmaster.pid" ]; then
    pg_ctl="$(ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | tail -1)"
    if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$pg_ctl -D '$data/postgres' stop -m fast"; else "$pg_ctl" -D "$data/postgres" stop -m fast; fi >/dev/null 2>&1 || true
  fi
  rm -rf "$data"
}
trap cleanup EXIT
started=$(date +%s)
env -u DATABASE_URL DATA_DIR="$data" "$bin" demo load >/dev/null
env -u DATABASE_URL DATA_DIR="$data" PORT="$port" "$bin" serve >"$data/serve.log" 2>&1 &
server=$!
for _ in $(seq 150); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
status=0
"$venv/bin/python" scripts/browser_test.py "http://127.0.0.1:$port" || status=$?
if [ $status != 0 ]; then echo "== the server's log (last 40 lines)"; tail -40 "$data/serve.log"; fi
echo "== browser test: $(($(date +%s) - started)) s"
exit $status
