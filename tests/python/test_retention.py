"""Retention from Python: idle slots reach a Python learner flagged, with an
empty mask and nothing paid, and the Gymnasium env's info says idle."""
import os

import numpy as np

import livegym

SCENARIOS = os.path.join(os.path.dirname(__file__), "..", "..", "scenarios")


class Recorder:
    """First on-air channel (0 when the mask is empty: an idle slot); counts
    what update() is given."""

    def reset(self, seed, batch):
        self.idle = self.active = self.bad = self.empty = 0

    def act(self, batch, greedy):
        out = np.zeros(batch.n, dtype=np.int64)
        for i in range(batch.n):
            on = np.flatnonzero(batch.mask[i])
            if len(on):
                out[i] = on[0]
            else:
                self.empty += 1
        return out

    def update(self, tr):
        idle = tr.idle
        self.idle += int(idle.sum())
        self.active += int((~idle).sum())
        self.bad += int((tr.reward[idle] != 0).sum() + tr.terminated[idle].sum() + tr.truncated[idle].sum())


def test_idle_slots_reach_a_python_learner_flagged():
    rec = Recorder()
    livegym.evaluate(rec, os.path.join(SCENARIOS, "retention.json"), seeds=1, steps=8000, eval_every=8000,
                     sessions=20)
    assert rec.idle > 1000 and rec.active > 1000, (rec.idle, rec.active)
    assert rec.bad == 0
    assert rec.empty >= rec.idle  # an idle slot's mask is empty (evaluations act on idle slots too)


def test_gymnasium_vector_env_reports_idle():
    env = livegym.VectorEnv(os.path.join(SCENARIOS, "retention.json"), num_envs=16, seed=3)
    obs, info = env.reset()
    seen = 0
    for _ in range(400):
        idle_before = info["idle"].copy()
        a = np.array([np.flatnonzero(m)[0] if m.any() else 0 for m in info["action_mask"]])
        obs, reward, terminated, truncated, info = env.step(a)
        seen += int(info["idle"].sum())
        assert (reward[info["idle"]] == 0).all() and not terminated[info["idle"]].any()
    assert seen > 100
    env.close()
