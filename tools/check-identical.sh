#!/usr/bin/env bash
# Do two livegym binaries produce the same outputs? For refactors that must
# not change behaviour: results folders (12 agents on the default world, the
# live scenarios, the book experiments, a flat DQN kept with its network),
# --json, compare, agents, scenario dumps, validate messages of the bad-file
# corpus, plots, viewer snapshots, and the checkpoint files of a DQN run
# killed part-way and then resumed.
#
#   tools/check-identical.sh OLD_BINARY NEW_BINARY [WORK_DIR]
#
# Prints the differences (nothing but "identical" lines when there are none)
# and exits 1 when anything differs. timing.json, the folders' .lock files (a
# pid and a start time) and the wall-time field of
# checkpoints (bytes 24-31 of a .ckpt, and so its checksum) are excluded: they
# hold wall-clock figures. Takes about two minutes on two cores.
set -u
shopt -s nullglob
[ $# -ge 2 ] || { echo "usage: $0 OLD_BINARY NEW_BINARY [WORK_DIR]" >&2; exit 2; }
OLD=$(realpath "$1"); NEW=$(realpath "$2")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${3:-$(mktemp -d)}
S=$ROOT/scenarios

outputs() { # BIN DIR
    local bin=$1 out=$2
    rm -rf "$out"; mkdir -p "$out"; cd "$out" || exit 2
    local all=random,popular,oracle,epsilon-greedy,ucb1,thompson,gradient-bandit,linucb,q-learning,sarsa,expected-sarsa,dqn
    "$bin" run --agents $all --seeds 2 --steps 3000 --eval-every 1000 --sessions 50 --out default >default.txt 2>&1
    for s in bots drift cold-start clickbait cross-domain prime-time tabular-small; do
        "$bin" run "$S/$s.json" --seeds 1 --steps 2000 --eval-every 1000 --sessions 40 --out "$s" >"$s.txt" 2>&1
    done
    "$bin" run "$S/bandit-fig2.2.json" --seeds 50 --out fig22 >fig22.txt 2>&1
    "$bin" run "$S/bandit-fig2.6.json" --seeds 20 --out fig26 >fig26.txt 2>&1
    "$bin" run "$S/cliff-example6.6.json" --seeds 5 --out cliff >cliff.txt 2>&1
    "$bin" run --agents random,dqn --seeds 2 --steps 3000 --eval-every 1000 --sessions 50 --json --out json >json.txt 2>&1
    # A flat DQN (drift.json's) kept: its network's every bit is compared
    # (the returns alone rarely move when only roundings change).
    "$bin" run "$S/drift.json" --agents dqn --seeds 1 --steps 3000 --eval-every 1500 --sessions 30 \
        --keep-agents --out flat-dqn >flat-dqn.txt 2>&1
    "$bin" compare default json >compare.txt 2>&1
    "$bin" agents >agents.txt 2>&1
    for f in "$S"/*.json; do "$bin" scenario dump "$f" >"dump-$(basename "$f")" 2>&1; done
    "$bin" scenario dump >dump-embedded.json 2>&1
    for f in "$ROOT"/tests/scenarios/bad/*.json; do
        echo "$(basename "$f"): $("$bin" validate "$f" 2>&1 | sed "s|$ROOT/||") rc=$?"
    done >validate-bad.txt
    "$bin" plot default --out plot-default.png >plot.txt 2>&1
    "$bin" plot default --metric ndcg --title T --out plot-ndcg.png >>plot.txt 2>&1
    "$bin" plot fig22 --out plot-fig22.png >>plot.txt 2>&1
    "$bin" plot cliff --out plot-cliff.png >>plot.txt 2>&1
    "$bin" watch --agents random,epsilon-greedy,q-learning,linucb,dqn --snapshot watch.png --steps 3000 >/dev/null 2>&1
    "$bin" watch "$S/bandit-fig2.2.json" --snapshot watch-bandit.png --steps 500 >/dev/null 2>&1
    "$bin" watch "$S/cliff-example6.6.json" --snapshot watch-cliff.png --steps 500 >/dev/null 2>&1
    # Kill the run right after DQN's seed 1 checkpointed point 2 (its p1 agent
    # file is removed once the p2 checkpoint is complete): a reproducible cut.
    "$bin" run --agents random,dqn,q-learning,linucb --seeds 2 --steps 16000 --eval-every 2000 \
        --sessions 30 --threads 1 --out ckpt >/dev/null 2>&1 &
    local pid=$! p=ckpt/runs/dqn/seed-1
    for _ in $(seq 1200); do
        if [ -f $p.p2.agent ] && [ ! -f $p.p1.agent ]; then kill -9 $pid; break; fi
        sleep 0.05
    done
    wait $pid 2>/dev/null
    cp -r ckpt ckpt-killed
    "$bin" run --resume --out ckpt >ckpt-resume.txt 2>&1
    find . -name timing.json -delete
    find . -name .lock -delete # the owner's pid and start time
}

outputs "$OLD" "$WORK/old"
outputs "$NEW" "$WORK/new"
status=0
diff -r -q -x ckpt-killed "$WORK/old" "$WORK/new" || status=1
[ $status = 0 ] && echo "identical: every output but the killed run's checkpoints"
# The killed runs stopped at times of their own: compare what both reached.
for d in "$WORK"/old/ckpt-killed/runs/*/; do
    name=$(basename "$d"); other="$WORK/new/ckpt-killed/runs/$name"
    [ "$(ls "$d")" = "$(ls "$other" 2>/dev/null)" ] || { echo "$name: the killed runs reached different points (not compared)"; continue; }
    for f in "$d"*; do
        b=$(basename "$f")
        case $b in
        *.ckpt) n=$(stat -c %s "$f")
                bad=$(cmp -l "$f" "$other/$b" | awk -v n="$n" '!(($1>=25&&$1<=32)||$1>n-8)' | wc -l)
                [ "$bad" = 0 ] || { echo "DIFFERENT: $name/$b"; status=1; } ;;
        *) cmp -s "$f" "$other/$b" || { echo "DIFFERENT: $name/$b"; status=1; } ;;
        esac
    done
    echo "identical: checkpoint files of $name ($(ls "$d" | tr '\n' ' '))"
done
exit $status
