"""`livegym bench env --scenario FILE`: the world of the file is the one
measured (its name and size in the JSON), and a bad file or flag is one
line and exit status 2; `livegym bench dqn --threads T` reports both loops.
Speed itself is never asserted."""
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIVEGYM = os.path.join(ROOT, os.environ.get("LG_BUILD", "build"), "livegym")


def bench(*args):
    return subprocess.run([LIVEGYM, "bench", "env", "--repeats", "1", "--seconds", "0.02", *args],
                          capture_output=True, text=True)


def test_bench_env_measures_the_scenario_file(tmp_path):
    small = tmp_path / "small.json"
    small.write_text(json.dumps({"name": "tiny", "population": {"viewers": 40},
                                 "world": {"channels": {"generate": {"count": 7}}}}))
    out = bench("--scenario", str(small), "--json")
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    assert r["scenario"] == "tiny" and r["slots"] == 40  # 64 slots, capped by the 40 viewers
    assert (r["channels"], r["viewers"], r["candidates"]) == (7, 40, 0)
    default = json.loads(bench("--json").stdout)["obs_dim"]  # 50 channels: 43 more channel rows
    assert default > r["obs_dim"] and (default - r["obs_dim"]) % 43 == 0
    assert r["steps_per_sec"] > 0 and r["peak_rss_mb"] > 0
    drift = json.loads(bench("--scenario", os.path.join(ROOT, "scenarios", "drift.json"), "--slots", "8",
                             "--json").stdout)
    assert drift["scenario"] == "drift" and drift["slots"] == 8
    staged = tmp_path / "staged.json"  # a candidate stage: the flat layout only, and said so
    staged.write_text(json.dumps({"population": {"viewers": 40}, "session": {"candidates": 5}}))
    s = json.loads(bench("--scenario", str(staged), "--json", "--repeats", "1", "--seconds", "0.05").stdout)
    assert s["candidates"] == 5 and s["obs_dim"] < default
    assert {x["layout"] for x in s["results"]} == {"flat"} and s["steps_per_sec"] == s["flat_steps_per_sec"]


def test_bench_env_bad_input():
    out = bench("--scenario", "/dev/null")
    assert out.returncode == 2 and out.stderr == "livegym bench: /dev/null: expected a JSON object, found an empty file\n"
    out = bench("--scenario", os.path.join(ROOT, "scenarios", "drift.json"), "--slots", "20000")
    assert out.returncode == 2
    assert out.stderr == "livegym bench: --slots: expected at most population.viewers (10000), found 20000\n"
    assert bench("--help").returncode == 0


def test_bench_dqn_times_the_loop_on_one_thread_and_on_a_team():
    out = subprocess.run([LIVEGYM, "bench", "dqn", "--repeats", "1", "--seconds", "0.05", "--threads", "2",
                          "--json"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["threads"] == 2 and d["layers"] == [1216, 120, 84, 50] and len(d["gemm_gflops"]) == 3
    assert d["env_agent_steps_per_sec"] > 0 and d["env_agent_steps_per_sec_threads"] > 0
    assert d["isa"] in ("sse2", "avx2", "avx512")
    out = subprocess.run([LIVEGYM, "bench", "dqn", "--threads", "0"], capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr == 'livegym bench: --threads: expected an integer in [1, 256], found "0"\n'
