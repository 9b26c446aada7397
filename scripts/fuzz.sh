#!/usr/bin/env bash
# Fuzzes the API from its own OpenAPI document with schemathesis: a fresh demo database, the
# server on a spare port, every operation as the demo admin, the demo applicant and anonymously,
# following the document's links from created resources to the operations that need their ids.
# Fails on any 5xx, any response that does not match the document, any undocumented status or
# content type.
#
#   scripts/fuzz.sh          `make fuzz`: the release build, FUZZ_EXAMPLES (100) cases per
#                            operation and phase, for each role; tens of minutes
#   scripts/fuzz.sh --check  `make fuzz-check`, run by CI: the debug build `make test` made,
#                            FUZZ_SECONDS (60) per role
#
# FUZZ_SEED (7) makes a run repeatable; FUZZ_PORT (8097) is the port; FUZZ_VENV is where
# schemathesis is installed (a venv under /tmp, made on first use); FUZZ_REPORTS (.build/fuzz)
# keeps each role's log and NDJSON report, which scripts/fuzz-stats.py reads.
set -euo pipefail
cd "$(dirname "$0")/.."
# Pinned: another version generates other cases from the same seed, and may check differently.
version=4.32.5
mode="${1:-full}"
port="${FUZZ_PORT:-8097}"
seed="${FUZZ_SEED:-7}"
venv="${FUZZ_VENV:-/tmp/manrs-schemathesis-$version}"
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "version $version\$"; then
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    # Debian's python3 keeps venv in a package of its own.
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
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$version"
fi
case "$mode" in
  --check)
    # The build `make test` made (a no-op when it is up to date): no second, release build in CI.
    swift build --build-tests
    bin=.build/debug/manrs-plus
    budget=(--max-time "${FUZZ_SECONDS:-60}" --max-examples "${FUZZ_EXAMPLES:-20}")
    ;;
  full)
    swift build -c release --static-swift-stdlib --product manrs-plus
    bin=.build/release/manrs-plus
    budget=(--max-examples "${FUZZ_EXAMPLES:-100}")
    ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac
reports="${FUZZ_REPORTS:-.build/fuzz}"
mkdir -p "$reports"
data="$(mktemp -d /tmp/manrs-fuzz.XXXXXX)"
# Run as root, the cluster belongs to the postgres user, which must be able to enter the folder.
chmod 755 "$data"
DATA_DIR="$data" "$bin" demo load >/dev/null
DATA_DIR="$data" PORT="$port" "$bin" serve >"$data/serve.log" 2>&1 &
server=$!
cleanup() {
  # `|| true`: under set -e a failing command would end the cleanup, and a crashed server's wait fails.
  kill $server 2>/dev/null || true
  wait $server 2>/dev/null || true
  # A server that crashed leaves its embedded PostgreSQL running: stop it before removing its folder.
  if [ -f "$data/postgres/postmaster.pid" ]; then
    pg_ctl="$(ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | tail -1)"
    if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$pg_ctl -D '$data/postgres' stop -m fast"; else "$pg_ctl" -D "$data/postgres" stop -m fast; fi >/dev/null 2>&1 || true
  fi
  rm -rf "$data"
}
trap cleanup EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done

# The demo tokens (schema/demo/demo.json): public, like the demo database they open.
declare -A tokens=(
  [anonymous]=""
  [applicant]=mp_demo-applicant-token-public-do-not-use-in-production
  [admin]=mp_demo-admin-token-public-do-not-use-in-production
)
status=0
# The admin last: it may change what the others see.
for role in anonymous applicant admin; do
  auth=()
  [ -n "${tokens[$role]}" ] && auth=(-H "Authorization: Bearer ${tokens[$role]}")
  echo "== schemathesis $version as $role (seed $seed)"
  started=$(date +%s)
  # Revoking tokens is left out: the fuzzer would revoke its own and test nothing after.
  passed=true
  PYTHONPATH=scripts SCHEMATHESIS_HOOKS=fuzz_hooks "$venv/bin/schemathesis" --config-file scripts/schemathesis.toml run "http://127.0.0.1:$port/api/v1/openapi.json" \
    --url "http://127.0.0.1:$port" "${auth[@]}" --seed "$seed" "${budget[@]}" --no-color \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
    --exclude-path '/api/v1/users/me/tokens/{token}' \
    --report ndjson --report-ndjson-path "$reports/$role.ndjson" >"$reports/$role.log" 2>&1 || passed=false
  # The summary, and the failures with a curl line each to reproduce them.
  if $passed; then sed -n '/^=* SUMMARY =*$/,$p' "$reports/$role.log"; else status=1; sed -n '/^=* FAILURES =*$/,$p' "$reports/$role.log"; fi
  echo "== $role: $(($(date +%s) - started)) s, $(scripts/fuzz-stats.py "$reports/$role.ndjson" | cut -d' ' -f2-)"
  if ! kill -0 $server 2>/dev/null; then
    # Its last requests are in the failures above; the crash is in its log.
    echo "the server stopped:"; grep -E "Fatal error|/Sources/" "$data/serve.log" | grep -v /checkouts/ | head -20 || tail -50 "$data/serve.log"
    exit 1
  fi
done
exit $status
