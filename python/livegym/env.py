"""The C world behind Gymnasium's Env and VectorEnv APIs.

Observations, masks, rewards and flags are numpy views of the C buffers:
no copy on any step. They change when the env steps again; copy what you
keep (`obs.copy()`). The world's sessions auto-reset in the same step (the
C API's rule): a VectorEnv returns the next session's first observation at
once and the finished session's last one in `info["final_obs"]` (rows
flagged by `info["_final_obs"]`); an Env returns the last observation, and
its next `reset()` hands over the session already started."""
import ctypes
import json
import os

import numpy as np

from . import _lib
from .spaces import HAVE_GYMNASIUM, Box, Discrete, MultiDiscrete, gymnasium

OBS_MODES = ("vector", "tabular", "ideal")
_ERR = 2048


def _scenario_text(scenario, obs_mode):
    """(JSON bytes or None for the default world, a name for messages)."""
    if obs_mode is not None and obs_mode not in OBS_MODES:
        raise ValueError(f"livegym.make: obs_mode: expected one of {', '.join(OBS_MODES)}, found {obs_mode!r}")
    if scenario is None:
        doc, name = {}, "default"
    elif isinstance(scenario, dict):
        doc, name = json.loads(json.dumps(scenario)), "(dict)"
    elif isinstance(scenario, (str, os.PathLike)):
        name = os.fspath(scenario)
        try:
            with open(name, "rb") as f:
                raw = f.read()
        except OSError as e:
            raise FileNotFoundError(f"{name}: cannot read the scenario file ({e.strerror})") from None
        if obs_mode is None:
            return raw, name
        try:
            doc = json.loads(raw)
        except ValueError as e:
            raise ValueError(f"{name}: not a JSON scenario file ({e})") from None
        if not isinstance(doc, dict):
            raise ValueError(f"{name}: expected a JSON object, found {type(doc).__name__}")
    else:
        raise TypeError(f"livegym.make: scenario: expected None, a path or a dict, found {type(scenario).__name__}")
    if obs_mode is not None:
        obs = doc.setdefault("observation", {})
        if not isinstance(obs, dict):
            raise ValueError(f"{name}: observation: expected an object, found {type(obs).__name__}")
        obs["mode"] = obs_mode
    if not doc:
        return None, name
    return json.dumps(doc).encode(), name


def _check_seed(seed, who):
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**64:
        raise ValueError(f"{who}: seed: expected an integer in [0, 2^64), found {seed!r}")
    return int(seed)


class _World:
    """One C env and the numpy views of its buffers."""

    def __init__(self, scenario, num_envs, obs_mode, seed):
        if isinstance(num_envs, bool) or not isinstance(num_envs, (int, np.integer)) or num_envs < 1:
            raise ValueError(f"livegym.make: num_envs: expected a positive integer, found {num_envs!r}")
        self.seed = _check_seed(seed, "livegym.make")
        text, name = _scenario_text(scenario, obs_mode)
        err = ctypes.create_string_buffer(_ERR)
        sc = _lib.lg_scenario_new(text, len(text) if text else 0, name.encode(), err, _ERR)
        if not sc:
            raise ValueError(err.value.decode(errors="replace"))
        self.ptr = ctypes.c_void_p()
        rc = _lib.lg_env_create(sc, int(num_envs), self.seed, _lib.LAYOUT_FLAT, ctypes.byref(self.ptr), err, _ERR)
        self.scenario_json = _lib.take_string(_lib.lg_scenario_to_json(sc))
        _lib.lg_scenario_free(sc)
        if rc:
            self.ptr = None
            raise ValueError(err.value.decode(errors="replace"))
        self.scenario = json.loads(self.scenario_json)
        b = _lib.lg_env_buffers(self.ptr).contents
        self.n, self.n_actions, self.k = b.n_slots, b.n_actions, b.slate_size
        self.n_channels = b.n_channels
        self.obs_dim, self.n_states = b.obs_dim, b.n_states
        self.tabular = self.scenario.get("observation", {}).get("mode") == "tabular"
        n, C, D = self.n, self.n_actions, self.obs_dim
        view = np.ctypeslib.as_array
        self.obs = view(b.obs, shape=(n, D)) if D else np.zeros((n, 0), np.float32)
        self.final_obs = view(b.final_obs, shape=(n, D)) if D else np.zeros((n, 0), np.float32)
        self.state = view(b.state, shape=(n,))
        self.final_state = view(b.final_state, shape=(n,))
        self.mask = view(b.mask, shape=(n, C)).view(np.bool_)
        # With a candidate stage (session.candidates), action j of slot i is channel candidates[i, j] (-1: none).
        self.candidates = view(b.candidates, shape=(n, C)) if b.candidates else None
        self.final_candidates = view(b.final_candidates, shape=(n, C)) if b.candidates else None
        self.final_mask = view(b.final_mask, shape=(n, C)).view(np.bool_) if b.candidates else None
        self.reward = view(b.reward, shape=(n,))
        self.terminated = view(b.terminated, shape=(n,)).view(np.bool_)
        self.truncated = view(b.truncated, shape=(n,)).view(np.bool_)
        self.info = view(b.info, shape=(n,))  # structured array of lg_info records
        self.actions = np.zeros((n, self.k), dtype=np.int32)
        self._actions_p = self.actions.ctypes.data_as(_lib.c_i32_p)
        self.c_buffers = {"obs": ctypes.addressof(b.obs.contents) if D else 0,
                          "mask": ctypes.addressof(b.mask.contents),
                          "reward": ctypes.addressof(b.reward.contents)}

    def observation_space(self):
        if self.tabular:
            return Discrete(self.n_states)
        blocks = ctypes.POINTER(_lib.ObsBlock)()
        nb = _lib.lg_env_obs_layout(self.ptr, ctypes.byref(blocks))
        b = _lib.lg_env_buffers(self.ptr).contents
        low = np.full(self.obs_dim, -np.inf, np.float32)
        high = np.full(self.obs_dim, np.inf, np.float32)
        for i in range(nb):
            blk = blocks[i]
            rows = [0] if blk.scope == 0 else range(self.n_actions)
            for r in rows:
                at = blk.offset if blk.scope == 0 else b.slot_dim + r * b.channel_dim + blk.offset
                low[at:at + blk.size], high[at:at + blk.size] = blk.low, blk.high
        return Box(low, high, shape=(self.obs_dim,), dtype=np.float32)

    def single_action_space(self):
        return Discrete(self.n_actions) if self.k == 1 else MultiDiscrete(np.full(self.k, self.n_actions))

    def put_actions(self, actions, who):
        """Validate and copy actions ([n] or [n, k] channel indices)."""
        a = np.asarray(actions)
        if a.dtype == np.bool_ or not (np.issubdtype(a.dtype, np.integer) or
                                       (np.issubdtype(a.dtype, np.floating) and np.all(np.mod(a, 1) == 0))):
            raise ValueError(f"{who}: expected action indices (integers), found dtype {a.dtype}")
        want = (self.n,) if self.k == 1 else (self.n, self.k)
        if a.shape != want and not (self.k == 1 and a.shape == (self.n, 1)):
            raise ValueError(f"{who}: expected actions of shape {want}, found {a.shape}")
        if a.size and (a.min() < 0 or a.max() >= self.n_actions):
            raise ValueError(f"{who}: expected action indices in [0, {self.n_actions}), found "
                             f"{a.min() if a.min() < 0 else a.max()}")
        self.actions.reshape(a.shape)[...] = a

    def step(self):
        _lib.lg_env_step(self.ptr, self._actions_p)

    def expected_rewards(self, slot):
        out = np.empty(self.n_actions, np.float32)
        _lib.lg_env_expected_reward(self.ptr, slot, out.ctypes.data_as(_lib.c_float_p))
        return out

    def channels(self):
        rows = (_lib.ChannelState * self.n_channels)()
        for c in range(self.n_channels):
            _lib.lg_env_channel(self.ptr, c, ctypes.byref(rows[c]))
        return np.ctypeslib.as_array(rows).copy()

    def clock(self):
        return _lib.lg_env_clock(self.ptr)

    def close(self):
        if self.ptr:
            _lib.lg_env_free(self.ptr)
            self.ptr = None


def _require_open(w, who):
    if w is None or not w.ptr:
        raise RuntimeError(f"{who}: the env is closed")


_EnvBase = gymnasium.Env if HAVE_GYMNASIUM else object
_VecBase = gymnasium.vector.VectorEnv if HAVE_GYMNASIUM else object


class Env(_EnvBase):
    """One viewer slot of the world, with Gymnasium's Env API. An episode is
    a viewer's session; the world (clock, popularity, other channels) goes
    on between episodes, as on the platform."""

    metadata = {"render_modes": []}
    render_mode = None

    def __init__(self, scenario=None, obs_mode=None, seed=0):
        self._w = _World(scenario, 1, obs_mode, seed)
        self.observation_space = self._w.observation_space()
        self.action_space = self._w.single_action_space()
        self._started = False
        self._done = False

    def _obs(self, final=False):
        w = self._w
        if w.tabular:
            return int((w.final_state if final else w.state)[0])
        return (w.final_obs if final else w.obs)[0]

    def _info(self):
        w = self._w
        rec = w.info[0]
        info = {"action_mask": w.mask[0], "watched": int(rec["watched"]), "viewer": int(rec["viewer"]),
                "watch_minutes": float(rec["watch_minutes"]), "clock": w.clock(),
                "idle": bool(rec["idle"])}  # retention: no viewer this step; skip it when learning
        if w.candidates is not None:
            info["candidates"] = w.candidates[0]
        return info

    def reset(self, *, seed=None, options=None):
        """seed: the whole world starts again from it (same seed, same
        trajectories). No seed: the first call starts the world from the
        seed given to make(); later calls start a new session in the running
        world (after an episode ends, the one the world already started)."""
        _require_open(self._w, "reset")
        if options is not None and not isinstance(options, dict):
            raise ValueError(f"reset: options: expected a dict or None, found {type(options).__name__}")
        if seed is not None:
            _lib.lg_env_reset(self._w.ptr, _check_seed(seed, "reset"))
        elif not self._started:
            _lib.lg_env_reset(self._w.ptr, self._w.seed)
        elif not self._done:
            _lib.lg_env_reset_slot(self._w.ptr, 0, None)
        self._started, self._done = True, False
        return self._obs(), self._info()

    def step(self, action):
        _require_open(self._w, "step")
        if not self._started:
            raise RuntimeError("step: call reset() first")
        a = np.asarray(action)
        want = () if self._w.k == 1 else (self._w.k,)
        if a.shape != want and not (self._w.k == 1 and a.shape == (1,)):
            raise ValueError(f"step: expected {'one channel index' if self._w.k == 1 else f'{self._w.k} channel indices'}"
                             f", found an array of shape {a.shape}")
        self._w.put_actions(a.reshape((1,) + want), "step")
        self._w.step()
        w = self._w
        terminated, truncated = bool(w.terminated[0]), bool(w.truncated[0])
        self._done = terminated or truncated
        return self._obs(final=self._done), float(w.reward[0]), terminated, truncated, self._info()

    def expected_rewards(self):
        """Ground truth: the expected immediate reward of recommending each
        channel alone to this slot's viewer now (the myopic oracle's view)."""
        _require_open(self._w, "expected_rewards")
        return self._w.expected_rewards(0)

    def channels(self):
        """Ground truth: the channel table (structured array, one row per
        channel: on_air, concurrency, log_popularity, ...)."""
        _require_open(self._w, "channels")
        return self._w.channels()

    @property
    def scenario(self):
        """The fully resolved scenario (as `livegym scenario dump` writes it)."""
        return self._w.scenario

    def close(self):
        if getattr(self, "_w", None) is not None:
            self._w.close()


class VectorEnv(_VecBase):
    """num_envs viewer slots of one world, stepped together, with Gymnasium's
    VectorEnv API (same-step autoreset). The slots share the world: what one
    viewer watches moves the popularity the others see."""

    metadata = {"render_modes": [], "autoreset_mode": "SameStep"}
    render_mode = None

    def __init__(self, scenario=None, num_envs=2, obs_mode=None, seed=0):
        self._w = _World(scenario, num_envs, obs_mode, seed)
        w = self._w
        self.num_envs = w.n
        self.single_observation_space = w.observation_space()
        self.single_action_space = w.single_action_space()
        if w.tabular:
            self.observation_space = MultiDiscrete(np.full(w.n, w.n_states))
        else:
            so = self.single_observation_space
            self.observation_space = Box(np.tile(so.low, (w.n, 1)), np.tile(so.high, (w.n, 1)),
                                         shape=(w.n, w.obs_dim), dtype=np.float32)
        self.action_space = MultiDiscrete(np.full((w.n,) if w.k == 1 else (w.n, w.k), w.n_actions))
        self._resets = 0
        self._started = False
        self._final = np.zeros(w.n, dtype=np.bool_)
        self._info = {"action_mask": w.mask, "final_obs": w.final_state if w.tabular else w.final_obs,
                      "_final_obs": self._final,
                      # retention: slots that had no viewer this step (a view into the info records)
                      "idle": w.info["idle"].view(np.bool_)}
        if w.candidates is not None:
            self._info.update(candidates=w.candidates, final_candidates=w.final_candidates,
                              final_action_mask=w.final_mask)

    def _obs(self):
        return self._w.state if self._w.tabular else self._w.obs

    def reset(self, *, seed=None, options=None):
        """seed: the world starts again from it. No seed: the first call uses
        make()'s seed, later calls a new seed drawn from it (a new world each
        time, reproducibly)."""
        _require_open(self._w, "reset")
        if options is not None and not isinstance(options, dict):
            raise ValueError(f"reset: options: expected a dict or None, found {type(options).__name__}")
        if seed is None:
            seed = self._w.seed if self._resets == 0 else int(
                np.random.default_rng([self._w.seed, self._resets]).integers(2**63))
        _lib.lg_env_reset(self._w.ptr, _check_seed(seed, "reset"))
        self._resets += 1
        self._started = True
        self._final[:] = False
        return self._obs(), self._info

    def step(self, actions):
        _require_open(self._w, "step")
        if not self._started:
            raise RuntimeError("step: call reset() first")
        w = self._w
        w.put_actions(actions, "step")
        w.step()
        np.logical_or(w.terminated, w.truncated, out=self._final)
        return self._obs(), w.reward, w.terminated, w.truncated, self._info

    def expected_rewards(self):
        """Ground truth [num_envs, channels]: each slot's expected immediate
        reward of each channel alone (the myopic oracle's view)."""
        _require_open(self._w, "expected_rewards")
        return np.stack([self._w.expected_rewards(i) for i in range(self._w.n)])

    def channels(self):
        """Ground truth: the channel table (see Env.channels)."""
        _require_open(self._w, "channels")
        return self._w.channels()

    @property
    def scenario(self):
        return self._w.scenario

    def close(self, **kwargs):
        if getattr(self, "_w", None) is not None:
            self._w.close()


def make(scenario=None, num_envs=1, obs_mode=None, seed=0):
    """An Env (num_envs=1) or a VectorEnv (num_envs > 1) on a scenario: None
    (the default world), a path to a scenario file, or a dict in the file's
    format. obs_mode: None (the scenario's), "vector", "tabular" or "ideal".
    seed: the world's seed for the first reset()."""
    if isinstance(num_envs, bool) or not isinstance(num_envs, (int, np.integer)) or num_envs < 1:
        raise ValueError(f"livegym.make: num_envs: expected a positive integer, found {num_envs!r}")
    if num_envs == 1:
        return Env(scenario, obs_mode, seed)
    return VectorEnv(scenario, num_envs, obs_mode, seed)
