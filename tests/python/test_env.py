"""The Python binding against Gymnasium's API, in the spirit of Gymnasium's
env checker: spaces, seeding, shapes and dtypes, episode ends, autoreset,
closing, bad input; zero copy; the same numbers as the C API."""
import ctypes
import os
import subprocess

import numpy as np
import pytest

import livegym
from livegym import _lib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("LG_BUILD", "build"))
DRIFT = os.path.join(ROOT, "scenarios", "drift.json")
SMALL = {"world": {"channels": {"generate": {"count": 12}}}, "population": {"viewers": 300}}


def first_on_air(mask):
    """Per row, the first True column (0 when none)."""
    return np.argmax(mask, axis=-1)


def rollout(env, seed, steps, rng_seed=0):
    """(observations, rewards, ends) of `steps` steps with random valid actions."""
    rng = np.random.default_rng(rng_seed)
    obs, info = env.reset(seed=seed)
    out_obs, out_r, ends = [np.array(obs, copy=True)], [], 0
    for _ in range(steps):
        valid = np.flatnonzero(info["action_mask"])
        obs, r, term, trunc, info = env.step(int(rng.choice(valid)))
        out_obs.append(np.array(obs, copy=True))
        out_r.append(r)
        if term or trunc:
            ends += 1
            obs, info = env.reset()
    return np.array(out_obs), np.array(out_r), ends


@pytest.mark.parametrize("obs_mode", ["vector", "ideal", "tabular"])
def test_every_observation_is_in_its_space(obs_mode):
    env = livegym.make(SMALL, obs_mode=obs_mode, seed=4)
    obs, info = env.reset()
    assert env.observation_space.contains(obs)
    for _ in range(400):
        obs, r, term, trunc, info = env.step(env.action_space.sample(mask=info["action_mask"].astype(np.int8)))
        assert env.observation_space.contains(obs), obs
        assert isinstance(r, float) and isinstance(term, bool) and isinstance(trunc, bool)
        assert info["action_mask"].dtype == np.bool_ and info["action_mask"].shape == (env.action_space.n,)
        if term or trunc:
            obs, info = env.reset()
            assert env.observation_space.contains(obs)
    env.close()


def test_same_seed_same_trajectory_other_seed_differs():
    env = livegym.make(SMALL, seed=1)
    o1, r1, e1 = rollout(env, 11, 300)
    o2, r2, e2 = rollout(env, 11, 300)
    o3, r3, _ = rollout(env, 12, 300)
    assert e1 == e2 and e1 > 0, "no session ended in 300 steps"
    assert np.array_equal(o1, o2) and np.array_equal(r1, r2)
    assert not np.array_equal(r1, r3)
    env.close()


def test_shapes_and_dtypes_stable_and_views_zero_copy():
    env = livegym.make(num_envs=16, seed=2)
    obs, info = env.reset()
    c = _lib.lg_env_buffers(env._w.ptr).contents
    addr = lambda p: ctypes.addressof(p.contents)  # noqa: E731
    for _ in range(50):
        o, r, te, tr, inf = env.step(first_on_air(info["action_mask"]))
        # The very buffers of the C env, not copies.
        assert o is obs and o.__array_interface__["data"][0] == addr(c.obs)
        assert r.__array_interface__["data"][0] == addr(c.reward)
        assert inf["action_mask"].__array_interface__["data"][0] == addr(c.mask)
        assert te.__array_interface__["data"][0] == addr(c.terminated)
        assert inf["final_obs"].__array_interface__["data"][0] == addr(c.final_obs)
        assert o.shape == (16, 1216) and o.dtype == np.float32 and not o.flags.owndata
        assert r.shape == (16,) and r.dtype == np.float32
        assert te.dtype == np.bool_ and tr.dtype == np.bool_
        assert env.observation_space.contains(o)
    env.close()


def test_episode_end_and_reset_hand_over_the_next_session():
    env = livegym.make(SMALL, seed=5)
    obs, info = env.reset()
    for _ in range(2000):
        obs, r, term, trunc, info = env.step(int(first_on_air(info["action_mask"])))
        if term or trunc:
            break
    else:
        pytest.fail("no session ended in 2000 steps")
    last = np.array(obs, copy=True)
    assert np.array_equal(last, env._w.final_obs[0])  # the finished session's last observation
    nxt, info = env.reset()  # the session the world already started
    assert np.array_equal(nxt, env._w.obs[0]) and not np.array_equal(nxt, last)
    env.close()


def test_vector_autoreset_in_the_same_step():
    env = livegym.make(SMALL, num_envs=8, seed=6)
    obs, info = env.reset()
    seen = 0
    for _ in range(500):
        obs, r, te, tr, info = env.step(first_on_air(info["action_mask"]))
        done = te | tr
        assert np.array_equal(info["_final_obs"], done)
        for i in np.flatnonzero(done):
            seen += 1
            assert not np.array_equal(info["final_obs"][i], obs[i])  # new session's first observation in obs
            assert env.single_observation_space.contains(info["final_obs"][i])
    assert seen > 0
    env.close()


def test_close_twice_and_use_after_close():
    env = livegym.make(seed=1)
    env.reset()
    env.close()
    env.close()
    with pytest.raises(RuntimeError, match="closed"):
        env.step(0)
    with pytest.raises(RuntimeError, match="closed"):
        env.reset()


def test_bad_actions_raise():
    env = livegym.make(SMALL, seed=1)
    with pytest.raises(RuntimeError, match="reset"):
        env.step(0)
    env.reset()
    for bad, msg in [(12, r"in \[0, 12\), found 12"), (-1, "found -1"), (2.5, "integers"), (True, "integers"),
                     ("a", "integers"), ([1, 2], r"one channel index, found an array of shape \(2,\)")]:
        with pytest.raises(ValueError, match=msg):
            env.step(bad)
    venv = livegym.make(SMALL, num_envs=4, seed=1)
    venv.reset()
    with pytest.raises(ValueError, match=r"shape \(4,\)"):
        venv.step(np.zeros(3, int))
    env.close(), venv.close()


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="num_envs"):
        livegym.make(num_envs=0)
    with pytest.raises(ValueError, match="obs_mode"):
        livegym.make(obs_mode="pixels")
    with pytest.raises(FileNotFoundError, match="no-such.json"):
        livegym.make("no-such.json")
    with pytest.raises(ValueError, match="seed"):
        livegym.make(seed=-1)
    with pytest.raises(TypeError, match="scenario"):
        livegym.make(42)
    with pytest.raises(ValueError, match=r"population\.viewers"):
        livegym.make({"population": {"viewers": -5}})
    with pytest.raises(ValueError, match="unknown key"):
        livegym.make({"wrold": {}})
    env = livegym.make(seed=1)
    with pytest.raises(ValueError, match="seed"):
        env.reset(seed="x")
    env.close()


def test_ground_truth():
    env = livegym.make(seed=3)
    obs, info = env.reset()
    er = env.expected_rewards()
    assert er.shape == (50,) and er.dtype == np.float32
    assert np.all(er[info["action_mask"]] >= 0)
    ch = env.channels()
    assert ch.shape == (50,) and np.array_equal(ch["on_air"] != 0, info["action_mask"])
    best = int(np.argmax(np.where(info["action_mask"], er, -np.inf)))
    assert info["action_mask"][best]
    env.close()


@pytest.mark.parametrize("scenario,n", [(None, 16), (DRIFT, 5)])
def test_same_numbers_as_c(scenario, n, tmp_path):
    exe = str(tmp_path / "first_on_air")
    subprocess.run([os.environ.get("CC", "cc"), "-std=c11", os.path.join(ROOT, "tests", "python", "first_on_air.c"),
                    f"-I{ROOT}/env", f"-I{ROOT}/env/base", f"-L{BUILD}", "-llivegym", f"-Wl,-rpath,{BUILD}",
                    "-o", exe], check=True)
    c = subprocess.run([exe, scenario or "-", str(n), "9", "400"], check=True, capture_output=True,
                       text=True).stdout.split()
    env = livegym.make(scenario, num_envs=n, seed=9)
    obs, info = env.reset()
    total, ended = 0.0, 0
    for _ in range(400):
        obs, r, te, tr, info = env.step(first_on_air(info["action_mask"]))
        for x in r.tolist():
            total += x
        ended += int(np.sum(te | tr))
    last = 0.0
    for x in obs.ravel().tolist():
        last += x
    assert (float(c[0]), int(c[1]), float(c[2])) == (total, ended, last)
    assert ended > 0
    env.close()


def test_scenario_and_version():
    env = livegym.make({"population": {"viewers": 500}}, seed=1)
    assert env.scenario["population"]["viewers"] == 500
    assert livegym.__version__.count(".") == 2
    env.close()


def test_candidate_stage():
    """With session.candidates = A, actions are positions in each slot's list:
    info["candidates"] names their channels, the observation has A channel
    rows, and what a slot watches is the candidate it was shown (or nothing)."""
    A, n = 5, 4
    env = livegym.make({**SMALL, "session": {"candidates": A}}, num_envs=n, seed=3)
    obs, info = env.reset(seed=3)
    cand = info["candidates"]
    assert cand.shape == (n, A) and cand.dtype == np.int32
    assert env.single_action_space.n == A
    rng = np.random.default_rng(0)
    watched = ended = 0
    for _ in range(100):
        shown = cand.copy()
        mask = info["action_mask"]
        assert np.array_equal(mask, shown >= 0)
        actions = np.array([rng.choice(np.flatnonzero(m)) if m.any() else 0 for m in mask])
        obs, reward, term, trunc, info = env.step(actions)
        for i in range(n):
            w = env._w.info[i]["watched"]
            assert w == -1 or w == shown[i, actions[i]]
            watched += w >= 0
        assert np.all((info["candidates"] >= -1) & (info["candidates"] < 12))
        for i in np.flatnonzero(term | trunc):  # the finished session's own list, not the next one's
            ended += 1
            assert np.array_equal(info["final_action_mask"][i], info["final_candidates"][i] >= 0)
    assert watched > 50 and ended > 0
    assert len(env._w.channels()) == 12  # the catalogue, not the A candidates
    env.close()
