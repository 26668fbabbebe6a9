"""Kept agents: `livegym run --keep-agents` leaves each trained agent in
runs/LABEL/seed-S.policy, and `livegym eval` plays it back frozen.

- Without a scenario, eval repeats the run's own final evaluation: every
  metric of every kept agent equals summary.json's, bit for bit.
- With a scenario, the kept agent joins its experiment (results folder,
  table) and what it learned shows: a trained kept agent beats the same
  agent kept untrained, and beats random, in a world it never saw.
- Hostile kept files (truncated, damaged, another world's shape, a folder
  that would clear them) are refused with one line and exit status 2."""
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIVEGYM = os.path.join(ROOT, os.environ.get("LG_BUILD", "build"), "livegym")

WORLD = {
    "population": {"viewers": 600},
    "experiment": {
        "agents": [
            {"name": "random"},
            {"name": "oracle"},
            {"name": "ucb1"},
            {"name": "epsilon-greedy", "label": "eps", "params": {"epsilon": 0.1}},
            {"name": "dqn", "params": {"network": "itemwise", "hidden": [32], "learning_starts": 200,
                                       "batch_size": 32, "learning_rate": 0.001, "epsilon_decay_steps": 3000}},
        ],
        "seeds": 3, "train_steps": 6000, "eval_every": 3000, "eval_sessions": 60, "slots": 8,
    },
}


def livegym(*args, cwd=None):
    return subprocess.run([LIVEGYM, *args], capture_output=True, text=True, timeout=600, cwd=cwd)


def write(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f)
    return str(path)


def trained(tmp_path, name="source", steps=None, **world):
    """A results folder with kept agents; returns its path."""
    sc = json.loads(json.dumps(WORLD))
    sc["name"] = name
    sc.update(world)
    if steps is not None:
        sc["experiment"]["train_steps"] = steps
    out = tmp_path / name
    r = livegym("run", write(tmp_path / f"{name}.json", sc), "--keep-agents", "--out", str(out), "--threads", "2")
    assert r.returncode == 0, r.stderr
    return out


def finals(out, label):
    """Each seed's final return of the agent labelled `label` in a results folder."""
    for d in (out / "runs").iterdir():
        runs = sorted(d.glob("seed-*.json"))
        if json.loads(runs[0].read_text())["agent"] == label:
            return [json.loads(r.read_text())["final"]["return"] for r in runs]
    raise AssertionError(f"no runs of {label} in {out}")


def metrics(summary, label):
    return next(a for a in summary["agents"] if a["label"] == label)["metrics"]


def test_eval_repeats_the_runs_final_evaluation(tmp_path):
    out = trained(tmp_path)
    summary = json.loads((out / "summary.json").read_text())
    for label in ("ucb1", "eps", "dqn", "random"):
        assert sorted(os.listdir(out / "runs" / label)) == sorted(
            [f"seed-{s}.{ext}" for s in (1, 2, 3) for ext in ("json", "policy", "timeline")])
        r = livegym("eval", str(out / "runs" / label), "--json")
        assert r.returncode == 0, r.stderr
        ev = json.loads(r.stdout)
        assert ev["agents"][0]["label"] == f"{label}@source"
        assert ev["agents"][0]["metrics"] == metrics(summary, label), label
        assert ev["train_steps"] == 0 and ev["seeds"] == 3
    # The oracle reads the simulator's ground truth: it learned nothing to keep.
    assert not list((out / "runs" / "oracle").glob("*.policy"))


def test_a_kept_agent_carries_what_it_learned_to_another_world(tmp_path):
    learned = trained(tmp_path, "source")
    blank = trained(tmp_path, "blank", steps=0)
    # Another world: the same catalogue under five times as volatile a popularity.
    target = json.loads(json.dumps(WORLD))
    target.update(name="target", world={"popularity": {"volatility": 0.1, "reversion": 0.008333333}})
    target["experiment"]["agents"] = [{"name": "random"}]
    path = write(tmp_path / "target.json", target)
    got = {}
    for kept, folder in (("dqn", learned), ("ucb1", learned), ("dqn", blank), ("ucb1", blank)):
        out = tmp_path / f"eval-{folder.name}-{kept}"
        r = livegym("eval", str(folder / "runs" / kept), path, "--against", "random", "--out", str(out))
        assert r.returncode == 0, r.stderr
        assert f"{kept}@{folder.name}" in r.stdout
        s = json.loads((out / "summary.json").read_text())
        got[folder.name, kept] = finals(out, f"{kept}@{folder.name}")
        got["random"] = finals(out, "random")
        assert s["agents"][0]["params"] == {"file": str(folder / "runs" / kept)}
    for kept in ("dqn", "ucb1"):
        for k in range(3):
            assert got["source", kept][k] > got["blank", kept][k], (kept, k, got)
            assert got["source", kept][k] > got["random"][k], (kept, k, got)


def test_hostile_kept_files_are_refused_in_one_line(tmp_path):
    out = trained(tmp_path, steps=1000)
    good = (out / "runs" / "ucb1" / "seed-1.policy").read_bytes()
    cases = {
        "truncated": good[: len(good) // 2],
        "damaged": good[:100] + bytes([good[100] ^ 1]) + good[101:],
        "empty": b"",
        "not-ours": b"LGAGENT\0" + good[8:],
    }
    for name, data in cases.items():
        p = tmp_path / f"{name}.policy"
        p.write_bytes(data)
        r = livegym("eval", str(p))
        assert r.returncode == 2, (name, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and str(p) in lines[0], (name, r.stderr)
    # Another world's shape: 16 channels instead of the 50 it was trained on.
    small = write(tmp_path / "small.json", {"name": "small", "world": {"channels": {"generate": {"count": 16, "seed": 3}}},
                                            "population": {"viewers": 600}})
    r = livegym("eval", str(out / "runs" / "ucb1"), small)
    errors = [line for line in r.stderr.splitlines() if "note:" not in line]
    assert r.returncode == 2 and len(errors) == 1 and "does not fit" in errors[0], r.stderr
    # A results folder there would clear the kept agents first.
    r = livegym("eval", str(out / "runs" / "ucb1"), small, "--out", str(out))
    assert r.returncode == 2 and "holds the kept agent" in r.stderr, r.stderr
    assert (out / "runs" / "ucb1" / "seed-1.policy").exists()
    # Seeds the folder does not hold.
    r = livegym("eval", str(out / "runs" / "ucb1"), "--seeds", "4")
    assert r.returncode == 2 and "holds kept seeds 1 to 3" in r.stderr, r.stderr
    # A label the CSV files could not hold.
    r = livegym("eval", str(out / "runs" / "random"), "--label", "a,b")
    assert r.returncode == 2 and "--label" in r.stderr, r.stderr
