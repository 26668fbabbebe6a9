"""`mpirun -np 2 livegym run`: the two ranks share the jobs (both run some),
and the results folder is byte-identical to a one-process `--threads 1` run
(timing.json, command.txt and the lock aside), for a live world and a
classic bandit, sweeps included; a folder left by a killed run is finished
by `--resume` under mpirun to the same bytes; rank 1 stopped alone leaves
the run complete and identical; a bad file is one line from rank 0 and exit
status 2. Open MPI comes from Debian (make deps)."""
import json
import os
import shutil
import signal
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIVEGYM = os.path.join(ROOT, os.environ.get("LG_BUILD", "build"), "livegym")
VOLATILE = {"timing.json", "command.txt", ".lock"}

# Open MPI refuses root unless told; CI runs as root (docs/sweeps.md).
MPI_ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")

LIVE = {
    "name": "mpi-live",
    "population": {"viewers": 400},
    "experiment": {
        "agents": [
            {"name": "random"},
            {"name": "epsilon-greedy", "label": "eps", "sweep": {"grid": {"epsilon": [0.05, 0.2]}}},
            {"name": "q-learning"},
            {"name": "dqn", "params": {"hidden": [16], "learning_starts": 100, "batch_size": 16}},
        ],
        "seeds": 3, "train_steps": 1200, "eval_every": 400, "eval_sessions": 20, "slots": 4,
    },
}
BANDIT = {
    "name": "mpi-bandit", "kind": "bandit", "bandit": {"arms": 5, "steps": 300},
    "experiment": {
        "agents": [{"name": "ucb1", "label": "ucb", "sweep": {"random": {"c": {"min": 0.1, "max": 4, "log": True}},
                                                              "samples": 3, "seed": 5}},
                   {"name": "random"}],
        "seeds": 20,
    },
}


def mpirun(*args):
    assert shutil.which("mpirun"), "Open MPI's mpirun is missing: make deps installs openmpi-bin"
    return subprocess.run(["mpirun", "-np", "2", LIVEGYM, "run", *args], capture_output=True, text=True,
                          env=MPI_ENV, timeout=600)


def single(*args):
    return subprocess.run([LIVEGYM, "run", "--threads", "1", *args], capture_output=True, text=True, timeout=600)


def files(d):
    out = {}
    for base, _, names in os.walk(d):
        for n in names:
            if n not in VOLATILE:
                p = os.path.join(base, n)
                out[os.path.relpath(p, d)] = open(p, "rb").read()
    return out


def assert_same(a, b):
    fa, fb = files(a), files(b)
    assert sorted(fa) == sorted(fb)
    for k in fa:
        assert fa[k] == fb[k], k


def test_two_ranks_equal_one_thread(tmp_path):
    for sc in (LIVE, BANDIT):
        f = tmp_path / (sc["name"] + ".json")
        f.write_text(json.dumps(sc))
        one, two = tmp_path / (sc["name"] + "-1"), tmp_path / (sc["name"] + "-2")
        r1 = single(str(f), "--out", str(one))
        assert r1.returncode == 0, r1.stderr
        r2 = mpirun(str(f), "--out", str(two))
        assert r2.returncode == 0, r2.stderr
        assert_same(one, two)
        assert r2.stdout.replace(str(two), "OUT") == r1.stdout.replace(str(one), "OUT")  # rank 0's table only
        ranks = {run["rank"] for run in json.load(open(two / "timing.json"))["runs"]}
        assert ranks == {0, 1}, ranks  # both ranks ran jobs
        assert {run["rank"] for run in json.load(open(one / "timing.json"))["runs"]} == {0}


def test_resume_a_killed_run_under_mpi(tmp_path):
    f = tmp_path / "live.json"
    f.write_text(json.dumps(LIVE))
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    assert single(str(f), "--out", str(whole)).returncode == 0
    shutil.copytree(whole, cut)
    # What a kill leaves: some jobs never finished, no final status.
    for label in ("q-learning", "dqn"):
        for s in (2, 3):
            os.remove(cut / "runs" / label / ("seed-%d.json" % s))
    for n in ("status.json", "summary.json", "curves.csv"):
        os.remove(cut / n)
    r = mpirun("--resume", "--out", str(cut))
    assert r.returncode == 0, r.stderr
    assert_same(whole, cut)
    ranks = {run["rank"] for run in json.load(open(cut / "timing.json"))["runs"]}
    assert 1 in ranks


def other_ranks(out, root):
    """The livegym processes writing to `out` other than rank 0 (whose pid is in the lock)."""
    pids = []
    for p in os.listdir("/proc"):
        try:
            cmd = open("/proc/%s/cmdline" % p, "rb").read().split(b"\0")
        except OSError:
            continue
        if p.isdigit() and int(p) != root and cmd and cmd[0] == LIVEGYM.encode() and str(out).encode() in cmd:
            pids.append(int(p))
    return pids


def test_rank_stopped_alone_gives_its_jobs_back(tmp_path):
    sc = json.loads(json.dumps(LIVE))
    sc["experiment"]["train_steps"] = 4000  # jobs long enough to stop one mid-way
    f = tmp_path / "live.json"
    f.write_text(json.dumps(sc))
    one, two = tmp_path / "one", tmp_path / "two"
    assert single(str(f), "--out", str(one)).returncode == 0
    run = subprocess.Popen(["mpirun", "-np", "2", LIVEGYM, "run", str(f), "--threads", "1", "--out", str(two)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=MPI_ENV)
    deadline = time.time() + 60
    while not (two / ".lock").exists() and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    root = int(open(two / ".lock").read().split()[1].rstrip(","))
    others = other_ranks(two, root)
    assert len(others) == 1, others
    os.kill(others[0], signal.SIGINT)
    out, err = run.communicate(timeout=600)
    assert run.returncode == 0, err
    assert json.load(open(two / "status.json"))["status"] == "complete"
    assert_same(one, two)


def test_bad_file_is_one_line_from_rank_0(tmp_path):
    f = tmp_path / "bad.json"
    f.write_text(json.dumps({"experiment": {"agents": [{"name": "ucb1", "sweep": {"grid": {"cc": [1]}}}]}}))
    r = mpirun(str(f), "--out", str(tmp_path / "out"))
    assert r.returncode == 2
    lines = [l for l in r.stderr.splitlines() if l.startswith("livegym")]
    assert lines == ["livegym run: %s: experiment.agents[0].sweep.grid.cc: expected a hyperparameter of ucb1 "
                     "(c, context), found \"cc\"" % f], r.stderr
    assert not (tmp_path / "out").exists()
