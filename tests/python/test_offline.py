"""Offline RL (`livegym offline`): an agent learns from a log alone.

On scenarios/offline.json, the epsilon-greedy behaviour policy (eps,
exploring 5%) is logged as it learns; DQN trained from that log alone with
conservative Q-learning (cql_alpha 1), then evaluated greedily online, earns
more per session than the behaviour earned while producing the data; the
same DQN without CQL (the mechanism removed) earns less than that and less
than with it. Fixed seeds; docs/offline.md reports the same figures."""
import json
import os
import subprocess

from test_logs import forge

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIVEGYM = os.path.join(ROOT, os.environ.get("LG_BUILD", "build"), "livegym")
SCENARIO = os.path.join(ROOT, "scenarios", "offline.json")
PARAMS = {"buffer_size": 20000, "train_frequency": 2, "batch_size": 64}


def livegym(*args):
    return subprocess.run([LIVEGYM, *args], capture_output=True, text=True, timeout=600)


def offline_return(tmp_path, log, name, cql):
    kept = tmp_path / f"{name}.policy"
    r = livegym("offline", str(log), "--agent", "dqn", "--params", json.dumps(dict(PARAMS, cql_alpha=cql)), "--out",
                str(kept), "--label", name)
    assert r.returncode == 0, r.stderr
    r = livegym("eval", str(kept), SCENARIO, "--against", "random", "--seeds", "3", "--steps", "0", "--json")
    assert r.returncode == 0, r.stderr
    (agent,) = [a for a in json.loads(r.stdout)["agents"] if a["label"].startswith(name + "@")]
    return agent["metrics"]["return"]["mean"]


def test_cql_from_a_log_beats_the_behaviour_and_plain_dqn(tmp_path):
    log = tmp_path / "eps.h5"
    r = livegym("log", SCENARIO, "--agent", "eps", "--steps", "20000", "--out", str(log))
    assert r.returncode == 0, r.stderr
    behaviour = float(r.stdout.split("behaviour policy: ")[1].split()[0])
    cql = offline_return(tmp_path, log, "cql", 1.0)
    plain = offline_return(tmp_path, log, "plain", 0.0)
    assert cql > behaviour + 3, f"CQL {cql:.2f} vs the behaviour's logged {behaviour:.2f}"
    assert plain < behaviour and plain < cql - 5, f"plain offline DQN {plain:.2f}, CQL {cql:.2f}"


def test_offline_refusals(tmp_path):
    log = tmp_path / "r.h5"
    assert livegym("log", SCENARIO, "--agent", "random", "--steps", "800", "--out", str(log)).returncode == 0
    for args, expect in [(["--agent", "random"], "expected a learning agent"),
                         (["--agent", "oracle"], "expected a learning agent"),
                         (["--agent", "dqn", "--params", '{"cql_alpha": 1, "network": "itemwise"}'],
                          "cql_alpha: the itemwise network"),
                         (["--agent", "dqn", "--label", "a,b"], "--label")]:
        r = livegym("offline", str(log), *args, "--out", str(tmp_path / "x.policy"))
        assert r.returncode == 2 and expect in r.stderr and r.stderr.count("\n") == 1, (args, r.stderr)
    bad = tmp_path / "state.h5"  # a final state no world has: the tabular learner would index past its table
    forge(log, bad, lambda f: f["episodes/final_state"].__setitem__(0, 2 ** 30))
    r = livegym("offline", str(bad), "--agent", "q-learning", "--out", str(tmp_path / "x.policy"))
    assert r.returncode == 2 and "episodes/final_state[0]: expected 0 to" in r.stderr, r.stderr
    r = livegym("offline", str(log), "--agent", "dqn", "--params", json.dumps({"x": "y" * 600}), "--out",
                str(tmp_path / "x.policy"))
    assert r.returncode == 2 and "--params: expected at most 511 characters" in r.stderr, r.stderr
    data = log.read_bytes()
    (tmp_path / "cut.h5").write_bytes(data[:-100])
    r = livegym("offline", str(tmp_path / "cut.h5"), "--agent", "dqn", "--out", str(tmp_path / "x.policy"))
    assert r.returncode == 2 and "length: expected" in r.stderr
    assert not (tmp_path / "x.policy").exists()
