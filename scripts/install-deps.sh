#!/usr/bin/env bash
# Makes sure what the build, the embedded database and the tests need is installed:
# the libpq headers (through pkg-config), the PostgreSQL server programs, and bgpdump
# (the MRT reader's tests compare with its output).
# As root it installs them with apt; otherwise it says exactly what to install.
set -euo pipefail

missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if ! pkg-config --exists libpq 2>/dev/null || [ ! -f "$(pkg-config --variable=includedir libpq 2>/dev/null)/libpq-fe.h" ]; then
    missing+=(libpq-dev)
fi
[ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
[ -f /usr/include/bzlib.h ] || missing+=(libbz2-dev)
[ -f /usr/include/libdeflate.h ] || missing+=(libdeflate-dev)
command -v bgpdump >/dev/null 2>&1 || missing+=(bgpdump)
server_found=no
if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then server_found=yes; fi
for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/initdb" ] && server_found=yes; done
[ "$server_found" = yes ] || missing+=(postgresql)

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Debian's postgresql package may start a cluster on port 5432; we use our own, so leave it be.
else
    echo "Missing: ${missing[*]}" >&2
    echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
command -v swift >/dev/null 2>&1 || { echo "The Swift toolchain (6.3) is not on PATH" >&2; exit 1; }
