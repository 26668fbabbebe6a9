#!/usr/bin/python3
"""References for `livegym bench dqn`, on one CPU thread:

1. PyTorch: gradient updates per second of the same MLP (ReLU hidden layers,
   linear output), batch 128, loss (MSE on the taken action's Q) and
   optimiser (Adam) as the bench.
2. OpenBLAS: sgemm GFLOP/s on the shapes of the network's first layer that
   the bench times (numpy float32 matmul calls the system BLAS's sgemm).

Not part of the build or the tests. Debian's python3 (not a pyenv or venv
one), with OpenBLAS as the system BLAS (otherwise PyTorch and numpy fall back
to the reference BLAS, 5-7x slower, which is not an honest reference):

    apt-get install python3-torch python3-numpy libopenblas0-pthread
    /usr/bin/python3 tools/reference/torch_dqn_update.py [--json] [WIDTH ...]

Widths default to 1216 120 84 50 (the default world's DQN). Figures are
medians of 5 timed slices of 1 s. Run it beside `livegym bench dqn` in the
same session (docs/benchmarks.md alternates them) and quote both.
"""
import json
import os
import statistics
import sys
import time

# One thread, set before the libraries start their pools.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import numpy as np  # noqa: E402
import torch  # noqa: E402


def median_rate(fn, seconds=1.0, repeats=5):
    for _ in range(20):
        fn()
    rates = []
    for _ in range(repeats):
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            fn()
            n += 1
        rates.append(n / (time.perf_counter() - t0))
    return statistics.median(rates)


def torch_updates(widths, batch):
    torch.set_num_threads(1)
    torch.manual_seed(0)
    layers = []
    for i in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(net.parameters(), lr=2.5e-4)
    x = torch.randn(batch, widths[0])
    actions = torch.randint(0, widths[-1], (batch, 1))
    target = torch.randn(batch)

    def update():
        q = net(x).gather(1, actions).squeeze(1)
        loss = torch.nn.functional.mse_loss(q, target)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return median_rate(update)


def sgemm_gflops(m, n, k, a_transposed):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((k, m) if a_transposed else (m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    c = np.empty((m, n), dtype=np.float32)
    lhs = a.T if a_transposed else a
    rate = median_rate(lambda: np.matmul(lhs, b, out=c))
    return 2.0 * m * n * k * rate / 1e9


def blas_name():
    try:
        cfg = np.show_config(mode="dicts")  # numpy >= 1.25
        return cfg["Build Dependencies"]["blas"]["name"]
    except TypeError:
        maps = [line for line in open("/proc/self/maps") if "blas" in line]
        return "openblas" if any("openblas" in line for line in maps) else "other: " + (maps[0].split()[-1] if maps else "?")


def main():
    args = [a for a in sys.argv[1:] if a != "--json"]
    widths = [int(w) for w in args] or [1216, 120, 84, 50]
    batch = 128
    shapes = [(batch, widths[1], widths[0], False), (widths[0], widths[1], batch, True), (batch, widths[0], widths[1], False)]
    ups = torch_updates(widths, batch)
    gemm = [{"m": m, "n": n, "k": k, "a_transposed": t, "gflops": round(sgemm_gflops(m, n, k, t), 2)} for m, n, k, t in shapes]
    blas = blas_name()
    if "--json" in sys.argv:
        print(json.dumps({"reference": "torch+blas", "torch": torch.__version__, "numpy": np.__version__, "blas": blas,
                          "layers": widths, "batch": batch, "updates_per_sec": round(ups, 1), "gemm_gflops": gemm}))
        return
    print(f"torch {torch.__version__}, numpy {np.__version__}, BLAS {blas}, 1 thread")
    print(f"torch updates, widths {widths}, batch {batch}: {ups:.1f} /s (median of 5)")
    for g in gemm:
        print(f"sgemm {g['m']} x {g['n']} x {g['k']}{' (A transposed)' if g['a_transposed'] else ''}: "
              f"{g['gflops']:.2f} GFLOP/s (median of 5)")


if __name__ == "__main__":
    main()
