#!/usr/bin/python3
"""Python binding speed against the C API, measured in the same run: slot-
steps per second of livegym.make(num_envs=N) stepped by a numpy random
policy (uniform over all channels, one call per step), and of `livegym bench
env --slots N` (uniform over on-air channels, in C). Medians of 5 slices of
1 s. Usage (from the project root, after make build):

    /usr/bin/python3 tools/bench_python.py [N]        # default 64
"""
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
import numpy as np  # noqa: E402

import livegym  # noqa: E402


def python_rate(n, seconds=1.0, repeats=5):
    env = livegym.make(num_envs=n, seed=1)
    env.reset()
    rng = np.random.default_rng(0)
    C = env.single_action_space.n
    step = env.step
    for _ in range(1000):
        step(rng.integers(0, C, n))
    rates = []
    for _ in range(repeats):
        k, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            for _ in range(100):
                step(rng.integers(0, C, n))
            k += 100
        rates.append(k * n / (time.perf_counter() - t0))
    env.close()
    return statistics.median(rates)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 64
    py = python_rate(n)
    exe = os.path.join(ROOT, os.environ.get("LG_BUILD", "build"), "livegym")
    c = json.loads(subprocess.run([exe, "bench", "env", "--slots", str(n), "--json"], check=True,
                                  capture_output=True, text=True).stdout)
    print(json.dumps({"bench": "python", "num_envs": n, "python_steps_per_sec": round(py),
                      "c_flat_steps_per_sec": c["flat_steps_per_sec"], "ratio": round(py / c["flat_steps_per_sec"], 3)}))


if __name__ == "__main__":
    main()
