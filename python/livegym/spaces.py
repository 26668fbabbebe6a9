"""Spaces with Gymnasium's API. When the `gymnasium` package is importable
its own spaces are used; otherwise these small ones, with the attributes
and methods an agent relies on (`shape`, `dtype`, `sample()`, `contains()`,
`seed()`, `n`, `nvec`, `low`, `high`)."""
import numpy as np

try:  # pragma: no cover - depends on what is installed
    import gymnasium
    from gymnasium.spaces import Box, Discrete, MultiDiscrete

    HAVE_GYMNASIUM = True
except ImportError:
    gymnasium = None
    HAVE_GYMNASIUM = False

    class Space:
        def __init__(self, shape, dtype, seed=None):
            self.shape = tuple(shape)
            self.dtype = np.dtype(dtype)
            self._np_random = np.random.default_rng(seed)

        def seed(self, seed=None):
            self._np_random = np.random.default_rng(seed)
            return [seed]

        @property
        def np_random(self):
            return self._np_random

        def __contains__(self, x):
            return self.contains(x)

    class Box(Space):
        """Real vectors in [low, high] (elementwise)."""

        def __init__(self, low, high, shape=None, dtype=np.float32, seed=None):
            shape = shape if shape is not None else np.shape(low)
            super().__init__(shape, dtype, seed)
            self.low = np.broadcast_to(np.asarray(low, dtype=self.dtype), self.shape).copy()
            self.high = np.broadcast_to(np.asarray(high, dtype=self.dtype), self.shape).copy()

        def sample(self, mask=None):
            return self._np_random.uniform(self.low, self.high).astype(self.dtype)

        def contains(self, x):
            x = np.asarray(x)
            return (x.shape == self.shape and np.can_cast(x.dtype, self.dtype) and
                    bool(np.all(x >= self.low)) and bool(np.all(x <= self.high)))

        def __repr__(self):
            return f"Box({self.low.min()}, {self.high.max()}, {self.shape}, {self.dtype})"

    class Discrete(Space):
        """Integers in [start, start + n)."""

        def __init__(self, n, seed=None, start=0):
            super().__init__((), np.int64, seed)
            self.n, self.start = int(n), int(start)

        def sample(self, mask=None):
            if mask is not None:
                valid = np.flatnonzero(mask)
                if valid.size == 0:
                    return self.start
                return int(self.start + self._np_random.choice(valid))
            return int(self.start + self._np_random.integers(self.n))

        def contains(self, x):
            if isinstance(x, (int, np.integer)) or (isinstance(x, np.ndarray) and x.shape == () and
                                                   np.issubdtype(x.dtype, np.integer)):
                return self.start <= int(x) < self.start + self.n
            return False

        def __repr__(self):
            return f"Discrete({self.n})"

    class MultiDiscrete(Space):
        """Vectors of integers, element i in [0, nvec[i])."""

        def __init__(self, nvec, dtype=np.int64, seed=None):
            self.nvec = np.asarray(nvec, dtype=np.int64)
            super().__init__(self.nvec.shape, dtype, seed)

        def sample(self, mask=None):
            return (self._np_random.random(self.nvec.shape) * self.nvec).astype(self.dtype)

        def contains(self, x):
            x = np.asarray(x)
            return (x.shape == self.shape and np.issubdtype(x.dtype, np.integer) and
                    bool(np.all(x >= 0)) and bool(np.all(x < self.nvec)))

        def __repr__(self):
            return f"MultiDiscrete({self.nvec.tolist()})"

__all__ = ["Box", "Discrete", "MultiDiscrete", "HAVE_GYMNASIUM", "gymnasium"]
