#!/usr/bin/env python3
"""The bias and spread of livegym's off-policy estimators against the truth.

For each behaviour policy, log it K times (`livegym log`, seeds 1..K) and
estimate one kept target's value from each log (`livegym ope --json`); every
estimate is compared with the truth the simulator gives for that log. Prints
a Markdown table (mean error = bias, its 95% interval over the logs, the
spread of the errors, RMSE, how often the estimator's own 95% interval held
the truth) and writes ERRORS.csv and a strip chart ERRORS.svg.

    python3 tools/ope_study.py --scenario scenarios/offline.json \\
        --target results/offline/runs/linucb/seed-1.policy \\
        --behaviours random,eps --logs 30 --steps 8000 --out docs/ope-study

Standard library only (the chart is SVG written by hand)."""
import argparse
import json
import math
import os
import statistics
import subprocess
import tempfile

ESTIMATORS = ["ips", "snips", "dm", "dr"]
NAMES = {"ips": "IPS", "snips": "SNIPS", "dm": "DM", "dr": "DR", "behaviour": "logged reward"}


def run(livegym, *args):
    r = subprocess.run([livegym, *args], capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(f"livegym {args[0]}: {r.stderr.strip()}")
    return r.stdout


def t95(df):
    table = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 9: 2.262, 19: 2.093, 29: 2.045}
    return table.get(df, 1.96 if df > 29 else 2.1)


def study(livegym, scenario, target, behaviour, logs, steps):
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(1, logs + 1):
            path = os.path.join(tmp, f"{seed}.h5")
            run(livegym, "log", scenario, "--agent", behaviour, "--steps", str(steps), "--seed", str(seed), "--out",
                path)
            o = json.loads(run(livegym, "ope", path, "--target", target, "--json"))
            os.remove(path)
            truth = o["truth"]["estimate"]
            row = {"behaviour": behaviour, "seed": seed, "truth": truth, "ess": o["ess"], "rows": o["rows"]}
            for k in ESTIMATORS:
                row[k] = o[k]["estimate"] - truth
                row[k + "_covered"] = int(o[k]["lo"] <= truth <= o[k]["hi"])
            row["behaviour_error"] = o["behaviour"] - truth
            rows.append(row)
    return rows


def summary(rows, key):
    e = [r[key] for r in rows]
    n = len(e)
    m, sd = statistics.mean(e), statistics.stdev(e)
    return m, t95(n - 1) * sd / math.sqrt(n), sd, math.sqrt(sum(x * x for x in e) / n)


def svg(results, path):
    """One strip per (behaviour, estimator): each log's error as a dot, the
    mean as a bar; zero (the truth) as a line."""
    keys = ESTIMATORS + ["behaviour_error"]
    strips = [(b, k) for b in results for k in keys]
    lo = min(min(r[k] for r in rows) for b, rows in results.items() for k in keys)
    hi = max(max(r[k] for r in rows) for b, rows in results.items() for k in keys)
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    pad = 0.05 * (hi - lo or 1.0)
    lo, hi = lo - pad, hi + pad
    W, L, T, B = 760, 220, 40, 40
    H = T + 28 * len(strips) + B
    x = lambda v: L + (v - lo) / (hi - lo) * (W - L - 20)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{L}" y="20" font-size="14">error of each estimate against the truth, one dot per log</text>',
           f'<line x1="{x(0):.1f}" y1="{T}" x2="{x(0):.1f}" y2="{H - B}" stroke="#888" stroke-dasharray="4 3"/>']
    step = 10 ** math.floor(math.log10((hi - lo) / 4))
    for mult in (1, 2, 5, 10):
        if (hi - lo) / (step * mult) <= 8:
            step *= mult
            break
    v = math.ceil(lo / step) * step
    while v <= hi:
        out.append(f'<line x1="{x(v):.1f}" y1="{H - B}" x2="{x(v):.1f}" y2="{H - B + 5}" stroke="black"/>')
        out.append(f'<text x="{x(v):.1f}" y="{H - B + 18}" text-anchor="middle">{v:g}</text>')
        v += step
    out.append(f'<line x1="{L}" y1="{H - B}" x2="{W - 20}" y2="{H - B}" stroke="black"/>')
    colours = {"ips": "#1f77b4", "snips": "#2ca02c", "dm": "#d62728", "dr": "#9467bd", "behaviour_error": "#7f7f7f"}
    for i, (b, k) in enumerate(strips):
        y = T + 14 + 28 * i
        label = f"{b}: {NAMES.get(k, NAMES['behaviour'] if k == 'behaviour_error' else k)}"
        out.append(f'<text x="{L - 10}" y="{y + 4}" text-anchor="end">{label}</text>')
        for r in results[b]:
            out.append(f'<circle cx="{x(r[k]):.1f}" cy="{y}" r="3" fill="{colours[k]}" fill-opacity="0.5"/>')
        m = statistics.mean(r[k] for r in results[b])
        out.append(f'<line x1="{x(m):.1f}" y1="{y - 9}" x2="{x(m):.1f}" y2="{y + 9}" stroke="black" stroke-width="2"/>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--livegym", default=os.path.join(os.path.dirname(__file__), "..", "build", "livegym"))
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--target", required=True, help="a kept agent (livegym run --keep-agents)")
    ap.add_argument("--behaviours", default="random", help="comma-separated agents of the scenario to log")
    ap.add_argument("--logs", type=int, default=30)
    ap.add_argument("--steps", type=int, default=8000)
    ap.add_argument("--out", required=True, help="path prefix of the .csv and .svg")
    a = ap.parse_args()
    results = {b: study(a.livegym, a.scenario, a.target, b, a.logs, a.steps) for b in a.behaviours.split(",")}
    with open(a.out + ".csv", "w") as f:
        cols = list(next(iter(results.values()))[0].keys())
        f.write(",".join(cols) + "\n")
        for rows in results.values():
            for r in rows:
                f.write(",".join(f"{r[c]:.6g}" if isinstance(r[c], float) else str(r[c]) for c in cols) + "\n")
    svg(results, a.out + ".svg")
    print("| behaviour | estimator | mean error (bias) ± 95% | sd of the error | RMSE | interval held the truth |")
    print("|---|---|---|---|---|---|")
    for b, rows in results.items():
        truth = statistics.mean(r["truth"] for r in rows)
        ess = statistics.mean(r["ess"] for r in rows)
        for k in ESTIMATORS + ["behaviour_error"]:
            m, ci, sd, rmse = summary(rows, k)
            held = f"{sum(r[k + '_covered'] for r in rows)} of {len(rows)}" if k in ESTIMATORS else "-"
            name = NAMES.get(k, "logged reward (no correction)")
            print(f"| {b} | {name} | {m:+.4f} ± {ci:.4f} | {sd:.4f} | {rmse:.4f} | {held} |")
        print(f"| {b} | (truth {truth:.4f}; effective sample size {ess:.0f} of {rows[0]['rows']}) | | | | |")


if __name__ == "__main__":
    main()
