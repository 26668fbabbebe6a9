"""The C library's built-in agents from Python (`livegym agents` lists
them; docs/agents.md has their hyperparameters).

An Agent works on an env in a Python loop:

    env = livegym.make(num_envs=16, seed=1)
    agent = livegym.Agent("q-learning", {"alpha": 0.1}, env=env, seed=1)
    obs, info = env.reset()
    for _ in range(1000):
        actions = agent.act(env)          # explores; act(env, greedy=True) does not
        env.step(actions)
        agent.update(env)                 # learns from the step just taken
    agent.save("q.lga")

and is a policy for livegym.evaluate, where the runner gives it its seed and
its batches (then it acts exactly as the same agent in `livegym run`; the
runner creates it anew for every run, so what it learned before is not
what is evaluated)."""
import ctypes
import json
import os

import numpy as np

from . import _lib
from .env import _check_seed
from .policy import Batch, Transition

_ERR = 2048


def _params_text(params, who):
    if params is None:
        return b"{}"
    if isinstance(params, dict):
        return json.dumps(params).encode()
    if isinstance(params, str):
        return params.encode()
    raise TypeError(f"{who}: params: expected None, a dict or a JSON string, found {type(params).__name__}")


class Agent:
    """A built-in C agent: name (a registry name), params (dict or JSON text of
    its hyperparameters), and optionally env and seed to create it at once
    (else `reset(seed, env_or_batch)` creates it)."""

    def __init__(self, name, params=None, *, env=None, seed=1):
        if not isinstance(name, str):
            raise TypeError(f"livegym.Agent: name: expected a string, found {type(name).__name__}")
        if not _lib.lga_find(name.encode()):
            names = ", ".join(agent_names())
            raise ValueError(f"livegym.Agent: unknown agent {name!r} (available: {names})")
        self.name = name
        self._params = _params_text(params, "livegym.Agent")
        self._ptr = None
        self._world = None
        self._copies = None
        self._acted = False
        if env is not None:
            self.reset(seed, env)

    # -- life --------------------------------------------------------------------------------
    def reset(self, seed, source):
        """(Re)create the agent, with fresh state, for the shapes of `source` (an
        Env, a VectorEnv, or a Batch from the runner) and this seed (its
        random stream, as `livegym run` gives seed s to run s)."""
        seed = _check_seed(seed, "Agent.reset")
        self.close()
        err = ctypes.create_string_buffer(_ERR)
        if isinstance(source, Batch):
            shape = source._ptr
        else:
            world = _world_of(source, "Agent.reset")
            b = _lib.ObsBatch()
            _lib.lga_batch_from_env(world.ptr, ctypes.byref(b))
            shape = ctypes.pointer(b)
            cur, nxt = _lib.Copy(), _lib.Copy()
            if _lib.lga_copy_init(world.ptr, ctypes.byref(cur)) or _lib.lga_copy_init(world.ptr, ctypes.byref(nxt)):
                _lib.lga_copy_free(ctypes.byref(cur))
                raise MemoryError("Agent.reset: out of memory")
            self._world, self._copies = world, (cur, nxt)
        ptr = _lib.lga_create(self.name.encode(), self._params, shape, seed, err, _ERR)
        if not ptr:
            self.close()
            raise ValueError(f"livegym.Agent: {err.value.decode(errors='replace')}")
        self._ptr = ptr
        self._type = _lib.AgentType.from_address(ctypes.cast(ptr, ctypes.POINTER(ctypes.c_void_p))[0])
        sh = shape.contents
        self._n, self._k, self._C = sh.n, sh.slate_size, sh.n_actions
        self._shape = _shape_of(sh)
        self._actions = np.zeros((sh.n, sh.slate_size), np.int32)
        self._acted = False

    def close(self):
        """Free the C agent (and its copies of the env's buffers); safe twice."""
        if self._ptr:
            _lib.lga_free(self._ptr)
            self._ptr = None
        if self._copies:
            for c in self._copies:
                _lib.lga_copy_free(ctypes.byref(c))
            self._copies = None
        self._world = None

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    @property
    def cheats(self):
        """True for agents that read the simulator's ground truth (the oracle):
        results mark them, and they are not ranked with the others."""
        return bool(_lib.AgentType.from_address(_lib.lga_find(self.name.encode())).cheats)

    @property
    def learns(self):
        """False for agents whose update does nothing (random, popular, oracle...)."""
        self._require("learns")
        return bool(self._type.learns)

    # -- acting and learning -----------------------------------------------------------------
    def act(self, source, greedy=False):
        """Actions for every slot: on a Batch (from the runner), or on the env's
        current observation. For an Env the shape is what its step takes (an
        index, or a slate); for a VectorEnv [num_envs] or [num_envs, slate]."""
        self._require("act")
        if isinstance(source, Batch):
            self._same_shape(source._ptr.contents, "act")
            out = np.zeros((source.n, source.slate_size), np.int32)
            self._type.act(self._ptr, source._ptr, int(bool(greedy)), out.ctypes.data_as(_lib.c_i32_p))
            return out
        world = self._bound(source, "act")
        cur = self._copies[0]
        _lib.lga_copy_current(world.ptr, ctypes.byref(cur))
        self._type.act(self._ptr, ctypes.byref(cur.batch), int(bool(greedy)), self._actions.ctypes.data_as(_lib.c_i32_p))
        self._acted = True
        a = self._actions.copy()
        if world.n == 1 and not _is_vector(source):
            return int(a[0, 0]) if self._k == 1 else a[0]
        return a[:, 0] if self._k == 1 else a

    def update(self, source):
        """Learn from one step: a Transition (from the runner), or the env's step
        just taken after `act(env)` (the actions the env received)."""
        self._require("update")
        if isinstance(source, Transition):
            self._same_shape(source._ptr.contents.obs.contents, "update")
            self._same_shape(source._ptr.contents.next.contents, "update")
            if self._type.learns:
                self._type.update(self._ptr, source._ptr)
            return
        world = self._bound(source, "update")
        if not self._acted:
            raise RuntimeError("Agent.update: expected act(env) and env.step(...) first")
        self._acted = False
        if not self._type.learns:
            return
        cur, nxt = self._copies
        _lib.lga_copy_next(world.ptr, ctypes.byref(nxt))
        b = _lib.lg_env_buffers(world.ptr).contents
        tr = _lib.TransitionBatch(ctypes.pointer(cur.batch), world.actions.ctypes.data_as(_lib.c_i32_p), b.reward,
                                  b.terminated, b.truncated, b.info, ctypes.pointer(nxt.batch))
        self._type.update(self._ptr, ctypes.byref(tr))

    # -- files -------------------------------------------------------------------------------
    def save(self, path):
        """Write the learned state (atomically); load it into an agent of the
        same name, hyperparameters and env shape."""
        self._require("save")
        err = ctypes.create_string_buffer(_ERR)
        if _lib.lga_save(self._ptr, os.fsencode(path), err, _ERR):
            raise OSError(err.value.decode(errors="replace"))

    def load(self, path):
        """Read a state written by save: refused with a one-line ValueError (file,
        block, expected, found) and the agent unchanged, when it does not fit."""
        self._require("load")
        err = ctypes.create_string_buffer(_ERR)
        if _lib.lga_load(self._ptr, os.fsencode(path), err, _ERR):
            raise ValueError(err.value.decode(errors="replace"))

    # -- helpers -----------------------------------------------------------------------------
    def _require(self, who):
        if not self._ptr:
            raise RuntimeError(f"Agent.{who}: the agent has no state yet (give env= and seed=, or call reset) "
                               "or was closed")

    def _same_shape(self, b, who):
        """The C agent trusts the shape it was created for: a batch of
        another shape would be read out of bounds."""
        got = _shape_of(b)
        if got != self._shape:
            diff = ", ".join(f"{k} {self._shape[k]} (found {got[k]})" for k in got if got[k] != self._shape[k])
            raise ValueError(f"Agent.{who}: expected a batch of the shape the agent was created for: {diff}; "
                             "reset(seed, batch) creates it anew for this one")

    def _bound(self, source, who):
        world = _world_of(source, f"Agent.{who}")
        if world is not self._world:
            raise ValueError(f"Agent.{who}: expected the env the agent was created for (reset(seed, env) binds "
                             "it to another)")
        return world

    def __repr__(self):
        return f"livegym.Agent({self.name!r}, {self._params.decode()})"


_SHAPE = ("n", "obs_dim", "slot_dim", "channel_dim", "n_actions", "slate_size", "n_states")


def _shape_of(b):
    return {k: getattr(b, k) for k in _SHAPE}


def _world_of(source, who):
    w = getattr(source, "_w", None)
    if w is None or not hasattr(w, "ptr"):
        raise TypeError(f"{who}: expected a livegym Env, VectorEnv or Batch, found {type(source).__name__}")
    if not w.ptr:
        raise ValueError(f"{who}: the env is closed")
    return w


def _is_vector(env):
    return hasattr(env, "num_envs")


def agent_names():
    """Every built-in agent's registry name."""
    return [_lib.AgentType.from_address(_lib.lga_at(i)).name.decode() for i in range(_lib.lga_count())]
