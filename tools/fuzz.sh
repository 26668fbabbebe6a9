#!/bin/sh
# Run every libFuzzer target of the fuzz build (or the ones named) for
# SECONDS each, from the corpus it has grown (BUILD/corpus/TARGET, kept
# between runs) and the seeds in the tree (tests/fuzz/corpus/TARGET; the
# scenario target also reads scenarios/ and the bad-file corpus). Each run
# appends a line to BUILD/fuzz-log.txt: the time, the target, the seconds,
# the executions. Exits 1 when a target found a crash, a leak, a timeout or
# a sanitizer report (its log and the input that did it are in BUILD/).
# `make fuzz` runs this with FUZZ_SECONDS, `make test` with a few seconds.
# With FUZZ_RUNS=N each target runs N executions instead, however long that
# takes (SECONDS is then ignored): how the campaign in docs/testing.md ran.
# Usage: tools/fuzz.sh SECONDS [TARGET ...]   (BUILD_FUZZ=build-fuzz)
set -u
build=${BUILD_FUZZ:-build-fuzz}
secs=${1:-60}
[ $# -gt 0 ] && shift
runs=${FUZZ_RUNS:--1}
case "$runs" in
-1) ;;
'' | *[!0-9]*) echo "fuzz: FUZZ_RUNS: expected a number of executions (or -1: use SECONDS), found \"$runs\"" >&2; exit 2 ;;
*) secs=0 ;;
esac
case "$secs" in
'' | *[!0-9]*) echo "fuzz: SECONDS: expected a whole number of seconds, found \"$secs\"" >&2; exit 2 ;;
esac
targets=${*:-$(for f in tests/fuzz/fuzz_*.c; do basename "$f" .c; done)}
failed=0
for t in $targets; do
    mkdir -p "$build/corpus/$t"
    extra=""
    [ "$t" = fuzz_scenario ] && extra="scenarios tests/scenarios/bad"
    # Hyperparameters may ask for a huge replay (a DQN of 10 million
    # transitions): the code must refuse an allocation that fails, so
    # failing allocations return NULL here instead of being reported, and
    # only memory actually used counts against the limit.
    # shellcheck disable=SC2086
    ASAN_OPTIONS=allocator_may_return_null=1:${ASAN_OPTIONS:-} \
    "$build/$t" -max_total_time="$secs" -runs="$runs" -timeout=30 -rss_limit_mb=3072 -malloc_limit_mb=1048576 -print_final_stats=1 \
        -artifact_prefix="$build/$t-" "$build/corpus/$t" "tests/fuzz/corpus/$t" $extra >"$build/$t.log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/$t.log")
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $t $([ "$runs" = -1 ] && echo "${secs}s" || echo "$runs runs") ${execs:-0} executions exit $rc" |
        tee -a "$build/fuzz-log.txt"
    if [ $rc -ne 0 ]; then
        failed=1
        grep -m1 -B2 -A25 -E "ERROR|runtime error|SUMMARY" "$build/$t.log" >&2
        echo "fuzz: $t failed; reproduce with: $build/$t $build/$t-<the crash- or leak- or timeout- file>" >&2
    fi
done
exit $failed
