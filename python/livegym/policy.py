"""What a policy written in Python sees when the C runner calls it (evaluate
and Agent use these): a batch of slots' observations, and a step to learn
from. Both are views of the runner's C buffers, valid only during the call
that received them: copy what you keep."""
import numpy as np


class Batch:
    """The observations of n slots, as an agent sees them.

    obs      float32 [n, obs_dim] (the flat layout), or for a tabular world
             int32 [n] state ids
    mask     bool [n, n_actions]: True where a channel may be recommended
    n, n_actions, slate_size, obs_dim, n_states
    blocks   {name: (scope, offset, size)}: where each feature lies (scope 0:
             the slot's part, at offset; scope 1: every channel's row, at
             slot_dim + c * channel_dim + offset)
    """

    __slots__ = ("n", "n_actions", "slate_size", "obs_dim", "slot_dim", "channel_dim", "n_states", "obs", "mask",
                 "_ptr", "_blocks")

    def __init__(self, ptr):
        b = ptr.contents
        self._ptr = ptr
        self.n, self.n_actions, self.slate_size = b.n, b.n_actions, b.slate_size
        self.obs_dim, self.slot_dim, self.channel_dim, self.n_states = b.obs_dim, b.slot_dim, b.channel_dim, b.n_states
        view = np.ctypeslib.as_array
        if b.obs and b.obs_dim:
            self.obs = view(b.obs, shape=(b.n, b.obs_dim))
        elif b.state:
            self.obs = view(b.state, shape=(b.n,))
        else:
            self.obs = np.zeros((b.n, 0), np.float32)
        self.mask = view(b.mask, shape=(b.n, b.n_actions)).view(np.bool_)
        self._blocks = None

    @property
    def blocks(self):
        if self._blocks is None:
            b = self._ptr.contents
            self._blocks = {b.blocks[i].name.decode(): (b.blocks[i].scope, b.blocks[i].offset, b.blocks[i].size)
                            for i in range(b.n_blocks)}
        return self._blocks

    def channel_column(self, name):
        """[n, n_actions] view of one per-channel feature (e.g. "concurrency")."""
        if name not in self.blocks or self.blocks[name][0] != 1:
            raise KeyError(f"Batch.channel_column: no per-channel feature {name!r} (this layout has: "
                           f"{', '.join(k for k, v in self.blocks.items() if v[0] == 1)})")
        end = self.slot_dim + self.n_actions * self.channel_dim
        rows = self.obs[:, self.slot_dim:end].reshape(self.n, self.n_actions, self.channel_dim)
        return rows[:, :, self.blocks[name][1]]


class Transition:
    """One training step of n slots: obs (a Batch), actions int32 [n, slate_size],
    reward float32 [n], terminated and truncated bool [n], next (a Batch: the
    observation to bootstrap from; a finished session's last one), idle bool
    [n] (retention: the slot had no viewer this step; learn nothing from it)."""

    __slots__ = ("obs", "actions", "reward", "terminated", "truncated", "next", "idle", "_ptr")

    def __init__(self, ptr):
        t = ptr.contents
        self._ptr = ptr
        self.obs, self.next = Batch(t.obs), Batch(t.next)
        n, k = self.obs.n, self.obs.slate_size
        view = np.ctypeslib.as_array
        self.actions = view(t.actions, shape=(n, k))
        self.reward = view(t.reward, shape=(n,))
        self.terminated = view(t.terminated, shape=(n,)).view(np.bool_)
        self.truncated = view(t.truncated, shape=(n,)).view(np.bool_)
        self.idle = view(t.info, shape=(n,))["idle"].astype(np.bool_) if t.info else np.zeros(n, dtype=np.bool_)


def put_actions(actions, n, k, n_actions, out, who):
    """Check a policy's answer (n or n x k channel indices) and write it to the
    C array `out`."""
    a = np.asarray(actions)
    if a.dtype.kind not in "iu":
        raise TypeError(f"{who}: expected integer action indices, found dtype {a.dtype}")
    if a.shape not in ((n, k),) + (((n,),) if k == 1 else ()):
        raise ValueError(f"{who}: expected actions of shape ({n},{' ' + str(k) if k > 1 else ''}) "
                         f"[{n} slots x slate {k}], found {a.shape}")
    bad = (a < 0) | (a >= n_actions)
    if bad.any():
        raise ValueError(f"{who}: expected action indices in [0, {n_actions}), found {a[bad].flat[0]}")
    np.ctypeslib.as_array(out, shape=(n * k,))[:] = a.reshape(-1)

