#!/usr/bin/env bash
# Runs docs/verify_credential.py, the independent Python verifier of mark credentials, in a venv
# cached under .build/ with the `cryptography` package from PyPI (VERIFIER_VENV overrides the
# folder). Arguments are the script's: CREDENTIAL.json DID.json [--at TIME] [--status-list FILE].
# Installs python3-venv with apt when run as root on a machine without it, as browser-test.sh does.
set -euo pipefail
cd "$(dirname "$0")/.."
cryptography_version=50.0.2
venv="${VERIFIER_VENV:-.build/verifier-venv-$cryptography_version}"

if ! "$venv/bin/python" -c "import cryptography, sys; sys.exit(cryptography.__version__ != '$cryptography_version')" 2>/dev/null; then
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "Installing python3-venv with apt-get" >&2
      DEBIAN_FRONTEND=noninteractive apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
      rm -rf "$venv"
      python3 -m venv "$venv"
    else
      echo "python3 -m venv failed: install python3-venv (sudo apt-get install -y python3-venv)" >&2
      exit 2
    fi
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check "cryptography==$cryptography_version" >&2
fi
exec "$venv/bin/python" docs/verify_credential.py "$@"
