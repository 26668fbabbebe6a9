"""livegym.evaluate: a policy written in Python, trained and evaluated by the
C runner exactly as `livegym run` trains and evaluates its agents (the same
protocol, evaluation worlds, metrics and statistics: docs/results.md).

A policy is either a function `policy(obs, mask) -> actions` (obs and mask
of a Batch), or an object with

    act(batch, greedy) -> actions      required; greedy is 1 in evaluations
    reset(seed, batch)                 optional; called when run `seed` begins
                                       (batch shows the shapes), so a policy
                                       can seed its randomness and forget;
                                       also once with seed 1 before the runs,
                                       when the runner checks every agent
    update(transition)                 optional; called after every training
                                       step: a policy that has it learns

where actions are [n] channel indices (or [n, slate] slates). A
livegym.Agent is such an object: evaluate(livegym.Agent("popular"))
gives the numbers `livegym run --agents popular` gives."""
import csv
import ctypes
import io
import json
import signal
import threading

import numpy as np

from . import _lib
from .env import _scenario_text
from .policy import Batch, Transition, put_actions

_ERR = 4096


class Evaluation:
    """What `livegym run` would write, as Python values.

    summary   summary.json as a dict: per agent, each metric's mean, 95% CI,
              standard deviation and number of seeds at the final evaluation,
              and paired differences against the baseline
    curves    curves.csv as columns: {"agent": [...], "seed": int array,
              "step": ..., and one float array per metric}
    notes     the notes `livegym run` prints (claims dropped, events the
              training never reaches)

    The classic worlds (bandit, cliff) learn online: their summary has each
    agent's mean reward (all steps, last 10%) and % optimal, over runs.
    """

    def __init__(self, summary, curves, notes):
        self.summary, self.curves, self.notes = summary, curves, notes

    def metrics(self, label=None):
        """{metric: mean over seeds} of one agent's final evaluation (label None:
        the first agent, the policy); for the classic worlds, the online figures."""
        a = self._agent(label)
        if "metrics" not in a:
            return {k: v for k, v in a.items() if k not in ("label", "name", "runs", "cheats", "rank", "params")}
        return {m: v["mean"] for m, v in a["metrics"].items()}

    def final(self, metric="return", label=None):
        """One agent's metric at its final evaluation, one value per seed (seed order)."""
        a = self._agent(label)["label"]
        c = self.curves
        if "seed" not in c:
            raise ValueError("Evaluation.final: the classic worlds learn online and have no per-seed evaluations; "
                             "see metrics() and curves (averaged over runs)")
        if metric not in c:
            raise KeyError(f"Evaluation.final: unknown metric {metric!r} (known: "
                           f"{', '.join(k for k in c if k not in ('agent', 'seed', 'step'))})")
        rows = np.flatnonzero(c["agent"] == a)
        out = []
        for s in np.unique(c["seed"][rows]):
            r = rows[c["seed"][rows] == s]
            out.append(c[metric][r[np.argmax(c["step"][r])]])
        return np.array(out)

    def _agent(self, label):
        agents = self.summary["agents"]
        if label is None:
            return agents[0]
        for a in agents:
            if a["label"] == label:
                return a
        raise KeyError(f"Evaluation: no agent {label!r} (agents: {', '.join(a['label'] for a in agents)})")

    def __repr__(self):
        parts = []
        for a in self.summary["agents"]:
            m = self.metrics(a["label"])
            key = "return" if "return" in m else next(iter(m))
            parts.append(f"{a['label']}: {key} {m[key]:.3f}")
        return f"Evaluation({'; '.join(parts)})"


def _parse_curves(text):
    rows = list(csv.reader(io.StringIO(text)))
    head, body = rows[0], rows[1:]
    cols = {}
    for i, name in enumerate(head):
        values = [r[i] for r in body]
        if name == "agent":
            cols[name] = np.array(values, dtype=object)
        elif name in ("seed", "step", "day"):
            cols[name] = np.array(values, dtype=np.int64)
        else:
            cols[name] = np.array(values, dtype=np.float64)
    return cols


class _Foreign:
    """A Python policy as an lga_agent_type: the C runner calls these
    trampolines. An exception stops the run (and is raised again by
    evaluate); after it, acting is a no-op so the runner winds down fast."""

    def __init__(self, policy, label, stop):
        self.policy, self.stop, self.error = policy, stop, None
        if hasattr(policy, "act"):
            self._act = policy.act
        elif callable(policy):
            self._act = lambda b, greedy: policy(b.obs, b.mask)
        else:
            raise TypeError(f"livegym.evaluate: policy: expected a function (obs, mask) -> actions, an object "
                            f"with act(batch, greedy), a livegym.Agent or a built-in agent's name, found "
                            f"{type(policy).__name__}")
        self._reset = getattr(policy, "reset", None)
        self._update = getattr(policy, "update", None)
        self.handles = {}
        self.type = _lib.AgentType()
        self._name = label.encode()
        self.type.name = self._name
        self.type.summary = b"a policy written in Python"
        self.type.learns = int(self._update is not None)
        self.type.cheats = int(bool(getattr(policy, "cheats", False)))  # a policy that reads ground truth says so
        # The C side keeps these function pointers; they must outlive the run.
        self.type.create = self._c_create = _lib.CREATE_FN(self._create)
        self.type.act = self._c_act = _lib.ACT_FN(self._on_act)
        self.type.update = self._c_update = _lib.UPDATE_FN(self._on_update)
        self.type.free = self._c_free = _lib.FREE_FN(self._free)

    def _fail(self, e):
        if self.error is None:
            self.error = e
        self.stop.value = 1

    def _create(self, params, shape, seed, err, errsz):
        try:
            if self.error is None and self._reset is not None:
                self._reset(int(seed), Batch(shape))
        except BaseException as e:  # noqa: B036 -- KeyboardInterrupt too: the run must stop
            self._fail(e)
        if self.error is not None:
            try:
                msg = f"policy: {type(self.error).__name__}: {self.error}".encode()[:max(errsz - 1, 0)]
            except BaseException:  # noqa: B036 -- an exception whose str() raises
                msg = b"policy: reset raised"
            ctypes.memmove(err, msg + b"\0", len(msg) + 1)
            return None
        h = ctypes.c_void_p(0)  # struct lga_agent: its type pointer, set by the runner
        self.handles[ctypes.addressof(h)] = h
        return ctypes.addressof(h)

    def _on_act(self, agent, batch, greedy, out):
        b = batch.contents
        if self.error is not None:
            np.ctypeslib.as_array(out, shape=(b.n * b.slate_size,))[:] = 0
            return
        try:
            bt = Batch(batch)
            put_actions(self._act(bt, int(greedy)), b.n, b.slate_size, b.n_actions, out, "policy")
        except BaseException as e:  # noqa: B036
            self._fail(e)
            np.ctypeslib.as_array(out, shape=(b.n * b.slate_size,))[:] = 0

    def _on_update(self, agent, tr):
        if self.error is not None:
            return
        try:
            self._update(Transition(tr))
        except BaseException as e:  # noqa: B036
            self._fail(e)

    def _free(self, agent):
        self.handles.pop(agent, None)


def _progress(stop, show, errors):
    """The runner's progress, called on this (the main) thread about five
    times a second: where Python runs the signal handler below."""
    def tick(fraction):
        try:
            if show is not None and not errors:
                show(fraction)
        except BaseException as e:  # noqa: B036
            errors.append(e)
            stop.value = 1
    return _lib.PROGRESS_FN(tick)


class _StopOnSigint:
    """While the C runner works, Ctrl-C stops it (the finished runs are
    dropped) and evaluate raises KeyboardInterrupt: Python's own handler
    would raise inside a ctypes callback, where the exception is lost."""

    def __init__(self, stop, errors):
        self.stop, self.errors, self.old = stop, errors, None

    def _handler(self, signum, frame):
        self.errors.append(KeyboardInterrupt())
        self.stop.value = 1

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self.old = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc):
        if self.old is not None:
            signal.signal(signal.SIGINT, self.old)


def _opt_int(o, name, v):
    if v is None:
        return
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"livegym.evaluate: {name}: expected an integer, found {v!r}")
    if not 0 <= v < 2**62:
        raise ValueError(f"livegym.evaluate: {name}: expected a non-negative integer, found {v}")
    setattr(o, name, int(v))


def evaluate(policy=None, scenario=None, seeds=None, *, label="policy", against=(), baseline=None, steps=None,
             minutes=None, eval_every=None, sessions=None, slots=None, threads=None, progress=None):
    """Train and evaluate `policy` on `scenario` (None: the embedded default; a
    path; or a dict in the scenario file's format) with the file's experiment
    section, as `livegym run` does; keyword arguments override it as its
    flags do (seeds, steps, minutes, eval_every, sessions, slots, baseline).

    policy   a Python policy (see the module's doc), a livegym.Agent, or a
             built-in agent's name; None runs the file's agents
    label    the Python policy's name in the results (not a built-in name)
    against  built-in agents (names, or labels of the file's agents) run
             beside it on the same seeds, e.g. ("random", "popular")
    threads  worker threads; only 1 with a Python policy (default 1)
    progress a function of the fraction done (0..1), called about five times
             a second; None: quiet

    Returns an Evaluation. Raises ValueError with the runner's one-line
    message for a bad scenario or option, and re-raises what the policy
    raised (the run stops at once)."""
    if isinstance(against, str):
        against = [against]
    text, name = _scenario_text(scenario, None)
    if text is None and scenario is not None:
        text = b"{}"
    stop = ctypes.c_int(0)
    foreign = None
    names = []
    if isinstance(policy, str):
        names.append(policy)
    elif policy is not None:
        if not isinstance(label, str) or not label or not label.isprintable() or any(c in label for c in ',"'):
            raise ValueError(f"livegym.evaluate: label: expected a non-empty printable name without commas or "
                             f"quotes, found {label!r}")
        foreign = _Foreign(policy, label, stop)
        names.append(label)
    names += list(against)
    o = _lib.RunOptions()
    _lib.lgx_run_options_init(ctypes.byref(o))
    agents = ",".join(names).encode() if names else None
    o.agents = agents
    for key, v in (("seeds", seeds), ("steps", steps), ("eval_every", eval_every), ("sessions", sessions),
                   ("slots", slots), ("threads", threads)):
        _opt_int(o, key, v)
    if minutes is not None:
        if isinstance(minutes, bool) or not isinstance(minutes, (int, float, np.integer, np.floating)) \
                or not minutes >= 0:
            raise ValueError(f"livegym.evaluate: minutes: expected a non-negative number, found {minutes!r}")
        o.minutes = float(minutes)
    base = baseline.encode() if baseline is not None else None
    o.baseline = base
    if foreign is not None and o.threads != 1:
        raise ValueError(f"livegym.evaluate: threads: a Python policy runs on one thread, found {o.threads}")
    types = (ctypes.POINTER(_lib.AgentType) * 1)(ctypes.pointer(foreign.type)) if foreign else None
    summary, curves, notes = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_void_p()
    err = ctypes.create_string_buffer(_ERR)
    errors = []
    tick = _progress(stop, progress, errors)
    with _StopOnSigint(stop, errors):
        rc = _lib.lgx_run_text(text, len(text) if text else 0, name.encode(), ctypes.byref(o), types,
                               1 if foreign else 0, ctypes.byref(stop), tick, ctypes.byref(summary),
                               ctypes.byref(curves), ctypes.byref(notes), err, _ERR)
    if foreign is not None and foreign.error is not None:
        errors.insert(0, foreign.error)
    if errors:
        for p in (summary, curves, notes):
            if p.value:
                _lib.free(p)
        raise errors[0]
    if rc == 1:  # stopped, and nobody said why: as if interrupted
        raise KeyboardInterrupt
    if rc == 2:
        raise ValueError(f"livegym.evaluate: {err.value.decode(errors='replace')}")
    if rc < 0:
        raise RuntimeError(f"livegym.evaluate: {err.value.decode(errors='replace')}")
    s, c, n = (_lib.take_string(p.value) for p in (summary, curves, notes))
    return Evaluation(json.loads(s), _parse_curves(c), [line for line in n.split("\n") if line])
