#!/usr/bin/env python3
"""PyTorch reference for `livegym bench dqn`: gradient updates per second of
the same MLP (ReLU hidden layers, linear output), batch, loss (MSE on the
taken action's Q) and optimiser (Adam) on one CPU thread.

Not part of the build or the tests: run it by hand beside `livegym bench dqn`
(Debian: apt-get install python3-torch) and quote both figures as measured in
the same session. Usage: torch_dqn_update.py [WIDTH ...] (default 1216 120 84 50).
"""
import statistics
import sys
import time

import torch


def main():
    widths = [int(w) for w in sys.argv[1:]] or [1216, 120, 84, 50]
    batch = 128
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

    for _ in range(50):
        update()
    rates = []
    for _ in range(5):
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < 1.0:
            update()
            n += 1
        rates.append(n / (time.perf_counter() - t0))
    print(f"torch {torch.__version__}, widths {widths}, batch {batch}, 1 thread: "
          f"{statistics.median(rates):.1f} updates/s (median of 5)")


if __name__ == "__main__":
    main()
