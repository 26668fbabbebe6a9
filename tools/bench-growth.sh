#!/usr/bin/env bash
# How the world's cost and memory grow with its catalogue and its viewers:
# `livegym bench env --scenario FILE --slots 64` on the default world with
# one thing changed (generated channels, with or without a candidate stage,
# or viewers), then the shipped
# platform-scale world. Prints a Markdown table (docs/benchmarks.md).
#
#   tools/bench-growth.sh [LIVEGYM] [REPEATS] [SECONDS]
#
# One benchmark at a time: run it on a quiet machine.
set -eu
BIN=${1:-build/livegym}
REPEATS=${2:-3}
SECONDS_PER=${3:-0.5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

row() { # LABEL FILE
    local json
    json=$("$BIN" bench env --scenario "$2" --slots 64 --repeats "$REPEATS" --seconds "$SECONDS_PER" --json)
    python3 - "$1" "$json" <<'PY'
import json, sys
label, j = sys.argv[1], json.loads(sys.argv[2])
fmt = lambda r: f"{r / 1e6:.2f}M" if r >= 1e5 else f"{r / 1e3:.1f}k"
print(f"| {label} | {j['obs_dim']:,} | {fmt(j['steps_per_sec'])} ({fmt(j['flat_steps_per_sec'])}) | "
      f"{j['peak_rss_mb']:,.0f} MB |")
PY
}

echo "| world | obs floats | slot-steps/s, shared (flat) | peak RSS |"
echo "|---|---|---|---|"
for c in 50 200 1000 5000 20000 50000; do
    echo "{\"world\": {\"channels\": {\"generate\": {\"count\": $c}}}}" >"$WORK/c$c.json"
    row "$c channels, 10,000 viewers" "$WORK/c$c.json"
done
for c in 5000 50000; do
    echo "{\"world\": {\"channels\": {\"generate\": {\"count\": $c}}}, \"session\": {\"candidates\": 200}}" \
        >"$WORK/k$c.json"
    row "$c channels, 10,000 viewers, 200 candidates" "$WORK/k$c.json"
done
for v in 100000 1000000 5000000; do
    echo "{\"population\": {\"viewers\": $v}}" >"$WORK/v$v.json"
    row "50 channels, $v viewers" "$WORK/v$v.json"
done
row "platform-scale.json (50,000 channels, 5,000,000 viewers)" "$ROOT/scenarios/platform-scale.json"
