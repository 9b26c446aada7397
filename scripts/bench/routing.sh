#!/usr/bin/env bash
# Routing figures for `make bench`: manrs-plus against the tools operators use, on the same
# inputs in the same run. Needs ../shared/data (the reference data) and network access to PyPI
# and Debian for the peers; each missing peer is reported and skipped.
set -uo pipefail
cd "$(dirname "$0")/../.."
DATA=${SHARED_DATA:-../shared/data}
BIN=.build/release/manrs-plus
WORK=${BENCH_WORK:-.build/bench}
ROUNDS=${BENCH_ROUNDS:-3}
mkdir -p "$WORK"
if [ ! -d "$DATA/vrps" ]; then echo "routing: $DATA not found; skipping the routing figures"; exit 0; fi

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
timed() { local s e; s=$(now); "$@" >/dev/null 2>&1; e=$(now); echo "$e - $s" | bc -l; }

VRPS="$WORK/vrps-20250720.json"
ROUTES="$DATA/routes/announcements-rv2-20240406.csv.gz"
[ -s "$VRPS" ] || bzcat "$DATA/vrps/rpki-client-20250720T093133Z.json.bz2" > "$VRPS"

# hyperfine (Debian package) times a command without a shell in between; without it, date.
if ! command -v hyperfine >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then apt-get install -y -qq hyperfine >/dev/null 2>&1; fi
if command -v hyperfine >/dev/null 2>&1; then
    hyperfine -N -w 1 -r "$ROUNDS" --export-json "$WORK/validate.json" "$BIN validate --vrps $VRPS --routes $ROUTES" >/dev/null 2>&1
    ours=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][0]['median'])" "$WORK/validate.json")
else
    ours=$(for _ in $(seq "$ROUNDS"); do timed "$BIN" validate --vrps "$VRPS" --routes "$ROUTES"; done | median)
fi
floor=$(for _ in $(seq "$ROUNDS"); do timed sh -c "cat '$VRPS' > /dev/null; zcat '$ROUTES' > /dev/null"; done | median)
peak=$( { /usr/bin/time -f "%M" "$BIN" validate --vrps "$VRPS" --routes "$ROUTES" > /dev/null; } 2>&1 | tail -1)
printf 'validate full table: manrs-plus %.2f s (median of %s), peak %d MB (goal < 0.5 s, < 1 GB)\n' "$ours" "$ROUNDS" "$((peak / 1024))"
printf 'validate full table: floor (read + decompress the inputs) %.2f s\n' "$floor"

# measure beside validate on the same inputs (issue 12 "Speed": measure within 2x of validate).
if command -v hyperfine >/dev/null 2>&1; then
    hyperfine -N -w 1 -r "$ROUNDS" --export-json "$WORK/measure.json" "$BIN measure --vrps $VRPS --routes $ROUTES" >/dev/null 2>&1
    measured=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][0]['median'])" "$WORK/measure.json")
else
    measured=$(for _ in $(seq "$ROUNDS"); do timed "$BIN" measure --vrps "$VRPS" --routes "$ROUTES"; done | median)
fi
printf 'measure full table: %.2f s, validate %.2f s; ratio %.2fx (goal <= 2x)\n' "$measured" "$ours" "$(echo "$measured / $ours" | bc -l)"

# Peers in a throwaway venv.
VENV="$WORK/venv"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" && "$VENV/bin/pip" install -q roa-checker==3.1.5 rov==0.6.0 >/dev/null 2>&1 || echo "routing: could not install the PyPI peers"
fi
for tool in rov roa-checker; do
    goal=25; [ "$tool" = roa-checker ] && goal=70
    out=$("$VENV/bin/python" scripts/bench/rov_peers.py "$tool" "$VRPS" "$ROUTES" 2>/dev/null) || { echo "routing: $tool did not run"; continue; }
    secs=${out%% *}
    printf 'validate full table: %s %.2f s (inputs pre-parsed; counts %s); ratio %.1fx (goal >= %sx)\n' \
        "$tool" "$secs" "${out#* }" "$(echo "$secs / $ours" | bc -l)" "$goal"
done

# MRT: prefix/origin pairs, against bgpdump -m.
if ! command -v bgpdump >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then apt-get update -qq >/dev/null 2>&1; apt-get install -y -qq bgpdump >/dev/null 2>&1; fi
if command -v bgpdump >/dev/null 2>&1; then
    files=$(ls "$DATA"/mrt/*.gz "$DATA"/mrt/*.bz2 | grep -v expected | tr '\n' ' ')
    ours=$(for _ in $(seq "$ROUNDS"); do timed sh -c "for f in $files; do $BIN routes \$f; done"; done | median)
    theirs=$(for _ in $(seq "$ROUNDS"); do timed sh -c "for f in $files; do bgpdump -m \$f; done"; done | median)
    printf 'MRT to prefix/origin: manrs-plus %.2f s, bgpdump -m %.2f s; ratio %.2fx (goal >= 1.5x)\n' "$ours" "$theirs" "$(echo "$theirs / $ours" | bc -l)"
else
    echo "routing: bgpdump not installed; skipping the MRT figure"
fi
