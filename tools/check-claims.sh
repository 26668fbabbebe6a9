#!/bin/sh
# Run every shipped scenario at its own budget with --check-claims: each
# must exit 0 (every claim of its file holds). `make claims` calls this; it
# takes about 14.5 minutes on 2 cores (2026-12-02), so it is not part of `make test`.
# Usage: tools/check-claims.sh [LIVEGYM] [SCENARIO.json ...]
set -u
bin=${1:-build/livegym}
[ $# -gt 0 ] && shift
files=${*:-scenarios/*.json}
out=${TMPDIR:-/tmp}/livegym-claims.$$
failed=0
for f in $files; do
    name=$(basename "$f" .json)
    start=$(date +%s)
    if "$bin" run "$f" --out "$out/$name" --check-claims >"$out.$name.log" 2>&1; then
        verdict=ok
    else
        verdict="FAILED (exit $?)"
        failed=$((failed + 1))
    fi
    echo "$f: $verdict in $(( $(date +%s) - start )) s"
    [ "$verdict" = ok ] || grep "claims\[" "$out.$name.log" | grep -v "^ " >&2
    rm -f "$out.$name.log"
done
rm -rf "$out"
[ $failed -eq 0 ] || { echo "$failed scenario(s) with claims that do not hold" >&2; exit 1; }
