"""livegym.evaluate and livegym.Agent: a Python policy goes through the C
runner and gets the numbers `livegym run` gives; the C agents work from a
Python loop; errors are Python exceptions with the runner's one-line
messages; the ctypes mirrors match the C structs."""
import ctypes
import json
import os
import subprocess

import numpy as np
import pytest

import livegym
from livegym import _lib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("LG_BUILD", "build"))
DRIFT = os.path.join(ROOT, "scenarios", "drift.json")
SHORT = dict(seeds=3, steps=3000, eval_every=1500, sessions=60)


def livegym_run(scenario, agents, tmp_path, **kw):
    """summary.json and curves.csv of the command line's run."""
    flags = {"seeds": "--seeds", "steps": "--steps", "eval_every": "--eval-every", "sessions": "--sessions"}
    cmd = [os.path.join(BUILD, "livegym"), "run"] + ([scenario] if scenario else [])
    cmd += ["--agents", agents, "--out", str(tmp_path / "run"), "--threads", "2"]
    for k, v in kw.items():
        cmd += [flags[k], str(v)]
    subprocess.run(cmd, check=True, capture_output=True)
    with open(tmp_path / "run" / "summary.json") as f:
        summary = json.load(f)
    with open(tmp_path / "run" / "curves.csv") as f:
        curves = f.read()
    return summary, curves


def metrics(summary):
    return {a["label"]: a["metrics"] for a in summary["agents"]}


@pytest.mark.parametrize("scenario,name,params", [(None, "random", None), (None, "popular", None),
                                                  (DRIFT, "random", None), (DRIFT, "popular", None),
                                                  (None, "epsilon-greedy", {"epsilon": 0.1})])
def test_agent_through_python_equals_livegym_run(scenario, name, params, tmp_path):
    """The C agent driven through Python's callbacks (reset, act, and for a
    learner update, from the runner) and the same agent inside `livegym
    run`: every metric of every seed, bit for bit. (epsilon-greedy with the
    hyperparameters the default file gives it.)"""
    want, want_curves = livegym_run(scenario, name, tmp_path, **SHORT)
    got = livegym.evaluate(livegym.Agent(name, params), scenario, label="py", **SHORT)
    assert metrics(got.summary)["py"] == metrics(want)[name]
    by_name = livegym.evaluate(name, scenario, **SHORT)
    assert metrics(by_name.summary) == metrics(want)
    lines = want_curves.splitlines()
    assert len(got.curves["step"]) == len(lines) - 1
    col = lines[0].split(",").index("return")
    assert got.final("return").tolist() == [float(line.split(",")[col]) for line in lines[1:]
                                            if int(line.split(",")[2]) == SHORT["steps"]]


class Popular:
    """The built-in `popular` in numpy: the on-air channel with the most viewers."""

    def act(self, batch, greedy):
        conc = np.where(batch.mask, batch.channel_column("concurrency"), -np.inf)
        return conc.argmax(axis=1)


def test_numpy_policy_equals_the_builtin_one():
    """`popular` written in numpy from the observation gives the built-in
    popular agent's numbers; random is below both."""
    r = livegym.evaluate(Popular(), against=["popular", "random"], **SHORT)
    assert r.metrics("policy") == r.metrics("popular")
    assert (r.final("return") > r.final("return", "random")).sum() >= 2
    assert r.summary["agents"][0]["vs_baseline"]["return"]["mean"] > 0  # baseline: random (the file's)


def test_a_cheating_agent_is_marked():
    r = livegym.evaluate(livegym.Agent("oracle"), seeds=1, steps=100, eval_every=100, sessions=5, against=["random"])
    assert [a["cheats"] for a in r.summary["agents"]] == [True, False]
    assert livegym.Agent("oracle").cheats and not livegym.Agent("random").cheats


def test_slates_both_ways():
    """Slates of 3: a numpy top-3 by concurrency gives the built-in popular's
    numbers, and a C agent in a Python loop acts with [n, 3] slates."""
    sc = {"session": {"slate_size": 3}}

    class Top3:
        def act(self, batch, greedy):
            conc = np.where(batch.mask, batch.channel_column("concurrency"), -np.inf)
            return np.argsort(-conc, axis=1, kind="stable")[:, :3]

    r = livegym.evaluate(Top3(), sc, seeds=2, steps=2000, eval_every=1000, sessions=50, against=["popular"])
    assert r.metrics("policy") == r.metrics("popular")
    with pytest.raises(ValueError, match=r"expected actions of shape \(16, 3\)"):
        livegym.evaluate(Popular(), sc, seeds=1, steps=100, eval_every=100, sessions=5)
    env = livegym.make(sc, num_envs=4, seed=1)
    agent = livegym.Agent("epsilon-greedy", env=env, seed=1)
    env.reset()
    for _ in range(20):
        a = agent.act(env)
        assert a.shape == (4, 3) and all(len(set(row)) == 3 for row in a.tolist())
        env.step(a)
        agent.update(env)


class ChannelMeans:
    """A Python learner: each channel's mean reward from the transitions it is
    given, greedy on them (epsilon 0.2 while training)."""

    def __init__(self, learn=True):
        self.learn = learn

    def reset(self, seed, batch):
        self.rng = np.random.default_rng(seed)
        self.sum = np.zeros(batch.n_actions)
        self.count = np.zeros(batch.n_actions)

    def act(self, batch, greedy):
        mean = np.where(self.count > 0, self.sum / np.maximum(self.count, 1), 1e9)  # untried first
        scores = np.where(batch.mask, mean[None, :], -np.inf)
        best = scores.argmax(axis=1)
        if not greedy:
            explore = self.rng.random(batch.n) < 0.2
            for i in np.flatnonzero(explore):
                best[i] = self.rng.choice(np.flatnonzero(batch.mask[i]))
        return best

    def update(self, tr):
        if self.learn:
            np.add.at(self.sum, tr.actions[:, 0], tr.reward)
            np.add.at(self.count, tr.actions[:, 0], 1)


def test_python_learner_learns_through_update():
    """update() reaches the policy during training, and it matters: the same
    policy with its learning removed is worse, on every seed."""
    kw = dict(seeds=3, steps=8000, eval_every=4000, sessions=100)
    learned = livegym.evaluate(ChannelMeans(), **kw).final("return")
    frozen = livegym.evaluate(ChannelMeans(learn=False), **kw).final("return")
    assert (learned > frozen).all(), (learned, frozen)


def test_policy_errors_are_python_exceptions():
    class Boom(Exception):
        pass

    def raises(obs, mask):
        raise Boom("inside the policy")

    with pytest.raises(Boom, match="inside the policy"):
        livegym.evaluate(raises, **SHORT)

    class BadReset:
        def reset(self, seed, batch):
            raise KeyError("no reset")

        def act(self, batch, greedy):
            return np.zeros(batch.n, np.int64)

    with pytest.raises(KeyError, match="no reset"):
        livegym.evaluate(BadReset(), **SHORT)
    with pytest.raises(ValueError, match=r"policy: expected actions of shape \(16,\)"):
        livegym.evaluate(lambda o, m: np.zeros(3, np.int64), **SHORT)
    with pytest.raises(ValueError, match=r"expected action indices in \[0, 50\), found 50"):
        livegym.evaluate(lambda o, m: np.full(len(o), 50), **SHORT)
    with pytest.raises(TypeError, match="expected integer action indices, found dtype float64"):
        livegym.evaluate(lambda o, m: np.zeros(len(o)), **SHORT)
    with pytest.raises(TypeError, match="policy: expected a function"):
        livegym.evaluate(42, **SHORT)


@pytest.mark.parametrize("kw,msg", [
    (dict(seeds=0), "seeds: expected an integer in [1, 100000], found 0"),
    (dict(eval_every=0), "eval_every: expected an integer in [1, 2000000000], found 0"),
    (dict(steps=10, minutes=5), "expected either steps or minutes, found both"),
    (dict(slots=10**5), "slots: expected at most population.viewers"),
    (dict(threads=2), "threads: a Python policy runs on one thread, found 2"),
    (dict(label="random"), "agent type \"random\": expected a name that is not a built-in agent's"),
    (dict(label="a,b"), "label: expected a non-empty printable name without commas or quotes"),
    (dict(against=["nosuch"]), "agent \"nosuch\": unknown agent"),
    (dict(baseline="nobody"), "baseline: expected one of the agents' labels, found \"nobody\""),
    (dict(scenario={"population": {"viewers": -1}}), "population.viewers"),
    (dict(steps=-1), "steps: expected a non-negative integer, found -1"),
    (dict(seeds=2**64), "seeds: expected a non-negative integer, found 18446744073709551616"),
    (dict(minutes=float("nan")), "minutes: expected a non-negative number, found nan"),
    (dict(label="a\nb"), "label: expected a non-empty printable name"),
    (dict(scenario=os.path.join(ROOT, "scenarios", "bandit-fig2.2.json"), label="greedy"),
     "agent type \"greedy\": expected a name that is not one of the file's agents (experiment.agents[0])"),
])
def test_bad_options_say_what_was_expected(kw, msg):
    with pytest.raises((ValueError, TypeError)) as e:
        livegym.evaluate(Popular(), **{**dict(seeds=1, steps=100, eval_every=100, sessions=5), **kw})
    assert msg in str(e.value)


def test_ctrl_c_stops_the_run():
    """A real SIGINT while the C runner works: the run stops, evaluate raises
    KeyboardInterrupt, and Python's own handler is back afterwards. (The run
    asked for takes minutes: were the signal lost, evaluate would return.)"""
    import signal
    import threading
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            livegym.evaluate(Popular(), seeds=20, steps=400000, eval_every=100000, sessions=200)
    finally:
        timer.cancel()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_classic_worlds():
    """The bandit's online protocol through a Python policy: the online figures,
    no per-seed evaluations."""
    bandit = os.path.join(ROOT, "scenarios", "bandit-fig2.2.json")
    calls = []

    def first_arm(obs, mask):
        calls.append(len(mask))
        return np.zeros(len(mask), np.int64)

    r = livegym.evaluate(first_arm, bandit, seeds=2, against=["greedy"])
    m = r.metrics()
    assert set(m) == {"mean_reward", "mean_reward_last_10pct", "pct_optimal_last_10pct"} and calls
    with pytest.raises(ValueError, match="learn online and have no per-seed evaluations"):
        r.final()


def test_an_agent_refuses_a_batch_of_another_shape():
    """A C agent made for one world, called by a policy on another's batches:
    refused (its buffers are sized for the first), not read out of bounds."""
    small = livegym.make({"world": {"channels": {"generate": {"count": 7}}}, "population": {"viewers": 100}},
                         num_envs=16, seed=1)
    agent = livegym.Agent("epsilon-greedy", env=small, seed=1)

    class Wrapped:
        def act(self, batch, greedy):
            return agent.act(batch, greedy)

    with pytest.raises(ValueError, match=r"expected a batch of the shape the agent was created for: obs_dim 184 "
                                         r"\(found 1216\), slot_dim 23 \(found 66\), n_actions 7 \(found 50\)"):
        livegym.evaluate(Wrapped(), seeds=1, steps=100, eval_every=100, sessions=5)


def test_notes_and_stopping_early():
    """Claims about agents the run leaves out are dropped with a note; a
    progress function that raises stops the run (here KeyboardInterrupt, as
    Ctrl-C would)."""
    r = livegym.evaluate(Popular(), DRIFT, seeds=1, steps=200, eval_every=100, sessions=5)
    assert any("claims name agents this run leaves out" in n for n in r.notes)
    seen = []

    def progress(f):
        seen.append(f)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        livegym.evaluate(Popular(), seeds=3, steps=10**6, eval_every=10**5, sessions=50, progress=progress)
    assert seen and 0 <= seen[0] < 0.5


def test_agent_in_a_python_loop(tmp_path):
    """A C agent acting and learning in a Python loop: deterministic; update()
    matters (the same loop without it earns less on every seed); its state
    saves and loads; misuse raises."""
    def train(seed, steps, learn=True):
        env = livegym.make(num_envs=16, seed=seed)
        agent = livegym.Agent("epsilon-greedy", {"epsilon": 0.2}, env=env, seed=seed)
        env.reset()
        total = 0.0
        for _ in range(steps):
            a = agent.act(env)
            _, r, _, _, _ = env.step(a)
            if learn:
                agent.update(env)
            total += float(r.sum())
        return env, agent, total

    for seed in (1, 2):
        assert train(seed, 400)[2] > train(seed, 400, learn=False)[2]
    env, agent, total = train(3, 300)
    assert train(3, 300)[2] == total
    assert agent.learns and agent.act(env, greedy=True).shape == (16,)
    path = str(tmp_path / "eps.lga")
    agent.save(path)
    other = livegym.Agent("epsilon-greedy", {"epsilon": 0.2}, env=env, seed=99)
    other.load(path)
    assert np.array_equal(other.act(env, greedy=True), agent.act(env, greedy=True))
    with open(path, "r+b") as f:
        f.seek(40)
        f.write(b"\xff" * 8)
    with pytest.raises(ValueError, match=path):
        other.load(path)
    with pytest.raises(RuntimeError, match=r"expected act\(env\) and env.step"):
        livegym.Agent("random", env=env).update(env)
    with pytest.raises(ValueError, match="expected the env the agent was created for"):
        agent.act(livegym.make(num_envs=16))
    with pytest.raises(ValueError, match="unknown agent 'nosuch' \\(available: random, "):
        livegym.Agent("nosuch")
    with pytest.raises(ValueError, match="alpha"):
        livegym.Agent("q-learning", {"alpha": -1}, env=env)
    env.close()
    with pytest.raises(ValueError, match="the env is closed"):
        agent.act(env)
    agent.close()
    agent.close()


def test_ctypes_mirrors_match_the_c_structs(tmp_path):
    exe = str(tmp_path / "layouts")
    subprocess.run([os.environ.get("CC", "cc"), "-std=c11", os.path.join(ROOT, "tests", "python", "layouts.c"),
                    f"-I{ROOT}/env", f"-I{ROOT}/env/base", f"-I{ROOT}/agents", f"-I{ROOT}/tools/lab", "-o", exe],
                   check=True)
    mirrors = {"lga_obs_batch": _lib.ObsBatch, "lga_transition_batch": _lib.TransitionBatch, "lga_copy": _lib.Copy,
               "lga_agent_type": _lib.AgentType, "lgx_run_options": _lib.RunOptions, "lg_info": _lib.Info,
               "lg_buffers": _lib.Buffers, "lg_obs_block": _lib.ObsBlock,
               "lg_channel_state": _lib.ChannelState}
    lines = subprocess.run([exe], check=True, capture_output=True, text=True).stdout.split("\n")
    fields = {}
    for line in filter(None, lines):
        name, value = line.split()
        struct, _, field = name.partition(".")
        got = getattr(mirrors[struct], field).offset if field else ctypes.sizeof(mirrors[struct])
        assert got == int(value), name
        if field:
            fields.setdefault(struct, []).append(field)
    for struct, cls in mirrors.items():  # every field of every mirror, in the C order
        assert fields[struct] == [f[0] for f in cls._fields_], struct
