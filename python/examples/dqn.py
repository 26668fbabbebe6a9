"""DQN in PyTorch on livegym's vector env, in one file (after CleanRL's
dqn.py: read it top to bottom). N viewer slots of one world step together;
every slot-step goes into one replay buffer; a Q-network over the flat
observation scores every channel, and channels off air are masked out of
both the greedy choice and the bootstrap target.

After training, the greedy network is handed to livegym.evaluate, which
trains nothing more and measures it exactly as `livegym run` measures its
agents (same evaluation worlds and seeds, same metrics), beside `random`.

    PYTHONPATH=python /usr/bin/python3 python/examples/dqn.py
    PYTHONPATH=python /usr/bin/python3 python/examples/dqn.py --scenario scenarios/drift.json --total-steps 100000

Needs Debian's python3-torch and python3-numpy."""
import argparse
import dataclasses
import json
import random
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import livegym


@dataclasses.dataclass
class Args:
    scenario: str = None          # a scenario file; None: the embedded default world
    seed: int = 1
    num_envs: int = 16            # viewer slots stepped together
    total_steps: int = 60000      # slot-steps of training (all slots together)
    learning_rate: float = 2.5e-4
    buffer_size: int = 50000      # transitions (slot-steps)
    gamma: float = 0.9
    target_network_frequency: int = 2000   # slot-steps between target copies
    batch_size: int = 128
    start_e: float = 1.0
    end_e: float = 0.05
    exploration_fraction: float = 0.3      # of total_steps to go from start_e to end_e
    learning_starts: int = 2000   # slot-steps before learning
    train_frequency: int = 1      # vector steps between gradient steps
    hidden: int = 256
    eval_seeds: int = 5           # livegym.evaluate's seeds (common random numbers with random)
    eval_sessions: int = 200
    json: bool = False            # print the evaluation as JSON instead of a table


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for f in dataclasses.fields(Args):
        flag = "--" + f.name.replace("_", "-")
        if f.type is bool:
            p.add_argument(flag, action="store_true")
        else:
            p.add_argument(flag, type=str if f.name == "scenario" else f.type, default=f.default)
    return Args(**vars(p.parse_args()))


class QNetwork(nn.Module):
    def __init__(self, obs_dim, n_actions, hidden):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(obs_dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, n_actions))

    def forward(self, x):
        return self.net(x)


def masked_argmax(q, mask):
    return q.masked_fill(~mask, -torch.inf).argmax(dim=1)


def linear_schedule(start_e, end_e, duration, t):
    slope = (end_e - start_e) / max(duration, 1)
    return max(slope * t + start_e, end_e)


class Replay:
    """A ring of transitions in numpy; sampled uniformly."""

    def __init__(self, size, obs_dim, n_actions, rng):
        self.obs = np.zeros((size, obs_dim), np.float32)
        self.next_obs = np.zeros((size, obs_dim), np.float32)
        self.next_mask = np.zeros((size, n_actions), np.bool_)
        self.action = np.zeros(size, np.int64)
        self.reward = np.zeros(size, np.float32)
        self.done = np.zeros(size, np.float32)
        self.size, self.pos, self.full, self.rng = size, 0, False, rng

    def add(self, obs, next_obs, next_mask, action, reward, done):
        idx = (self.pos + np.arange(len(obs))) % self.size
        self.obs[idx], self.next_obs[idx], self.next_mask[idx] = obs, next_obs, next_mask
        self.action[idx], self.reward[idx], self.done[idx] = action, reward, done
        self.full |= self.pos + len(obs) >= self.size
        self.pos = (self.pos + len(obs)) % self.size

    def sample(self, n):
        idx = self.rng.integers(0, self.size if self.full else self.pos, n)
        t = torch.from_numpy
        return (t(self.obs[idx]), t(self.next_obs[idx]), t(self.next_mask[idx]), t(self.action[idx]),
                t(self.reward[idx]), t(self.done[idx]))


def train(args):
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)
    rng = np.random.default_rng(args.seed)

    envs = livegym.make(args.scenario, num_envs=args.num_envs, seed=args.seed)
    obs_dim = envs.single_observation_space.shape[0]
    n_actions = envs.single_action_space.n
    q_network = QNetwork(obs_dim, n_actions, args.hidden)
    optimizer = torch.optim.Adam(q_network.parameters(), lr=args.learning_rate)
    target_network = QNetwork(obs_dim, n_actions, args.hidden)
    target_network.load_state_dict(q_network.state_dict())
    rb = Replay(args.buffer_size, obs_dim, n_actions, rng)

    obs, info = envs.reset(seed=args.seed)
    start = time.time()
    steps = 0
    vector_steps = 0
    last_target = 0
    while steps < args.total_steps:
        epsilon = linear_schedule(args.start_e, args.end_e, args.exploration_fraction * args.total_steps, steps)
        mask = info["action_mask"]
        with torch.no_grad():
            greedy = masked_argmax(q_network(torch.from_numpy(obs)), torch.from_numpy(mask)).numpy()
        explore = rng.random(args.num_envs) < epsilon
        random_on_air = np.array([rng.choice(np.flatnonzero(m)) if m.any() else 0 for m in mask])
        actions = np.where(explore, random_on_air, greedy)

        prev_obs = obs.copy()  # the env's buffers are overwritten by the step
        obs, rewards, terminations, truncations, info = envs.step(actions)
        # Same-step autoreset: a finished session's last observation is in
        # final_obs; bootstrap from it when the session was cut (truncated),
        # not when it ended (terminated). The on-air mask is the world's, the
        # same for the old session's last observation as for the new one's first.
        real_next = np.where(info["_final_obs"][:, None], info["final_obs"], obs)
        rb.add(prev_obs, real_next, info["action_mask"], actions, rewards, terminations.astype(np.float32))
        steps += args.num_envs
        vector_steps += 1

        if steps > args.learning_starts and vector_steps % args.train_frequency == 0:
            b_obs, b_next, b_mask, b_act, b_rew, b_done = rb.sample(args.batch_size)
            with torch.no_grad():
                target_max = target_network(b_next).masked_fill(~b_mask, -torch.inf).max(dim=1).values
                target_max = torch.where(torch.isfinite(target_max), target_max, torch.zeros_like(target_max))
                td_target = b_rew + args.gamma * target_max * (1 - b_done)
            old_val = q_network(b_obs).gather(1, b_act[:, None]).squeeze(1)
            loss = F.mse_loss(td_target, old_val)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if steps - last_target >= args.target_network_frequency:
            target_network.load_state_dict(q_network.state_dict())
            last_target = steps
    envs.close()
    return q_network, time.time() - start


class GreedyPolicy:
    """The trained network as a livegym.evaluate policy: greedy on air."""

    def __init__(self, q_network):
        self.q = q_network

    def act(self, batch, greedy):
        with torch.no_grad():
            q = self.q(torch.from_numpy(batch.obs))
        return masked_argmax(q, torch.from_numpy(batch.mask)).numpy()


def main():
    args = parse_args()
    torch.set_num_threads(1)
    q_network, seconds = train(args)
    # steps=0: the policy is not trained further; one evaluation per seed.
    result = livegym.evaluate(GreedyPolicy(q_network), args.scenario, seeds=args.eval_seeds, label="dqn-torch",
                              against=["random"], baseline="random", steps=0, sessions=args.eval_sessions)
    if args.json:
        finals = {a["label"]: result.final("return", a["label"]).tolist() for a in result.summary["agents"]}
        print(json.dumps({"train_seconds": seconds, "final_return": finals, "summary": result.summary}))
        return
    print(f"trained {args.total_steps} slot-steps in {seconds:.1f} s "
          f"({args.total_steps / seconds:.0f} slot-steps/s)\n")
    print(f"{'agent':<12} {'return/session':>18} {'watch min':>12} {'CTR':>8}")
    for a in result.summary["agents"]:
        m = a["metrics"]
        print(f"{a['label']:<12} {m['return']['mean']:>10.2f} ± {m['return']['ci95'] or 0:<5.2f} "
              f"{m['watch_minutes']['mean']:>12.1f} {m['ctr']['mean']:>8.3f}")
    d = result.summary["agents"][0]["vs_baseline"]["return"]
    print(f"\ndqn-torch - random: {d['mean']:+.2f} ± {d['ci95'] or 0:.2f} per session "
          f"(paired over {args.eval_seeds} seeds)")


if __name__ == "__main__":
    main()
