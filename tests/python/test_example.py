"""The README's PyTorch example (python/examples/dqn.py), briefly: trained
for 5,000 slot-steps it must beat `random` on every evaluation seed, as
livegym.evaluate measures both (the same seeds, the same worlds)."""
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_torch_dqn_example_beats_random():
    env = {**os.environ, "PYTHONPATH": os.path.join(ROOT, "python")}
    out = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "python", "examples", "dqn.py"), "--total-steps",
                          "5000", "--learning-starts", "1000", "--eval-seeds", "3", "--eval-sessions", "50", "--json"],
                         check=True, capture_output=True, text=True, env=env, cwd=ROOT).stdout
    finals = json.loads(out)["final_return"]
    assert len(finals["dqn-torch"]) == len(finals["random"]) == 3
    assert all(d > r for d, r in zip(finals["dqn-torch"], finals["random"])), finals
