"""Logged data (`livegym log`) and off-policy evaluation (`livegym ope`).

- A log opens with h5py and has the documented structure (docs/logs.md):
  attributes, datasets, shapes and types; every row's action on air, its
  propensity a probability; the episodes table accounts for every row.
- IPS is unbiased: over repeated logs of a random behaviour policy, the mean
  of its error against the simulator's truth is within noise of 0, while
  the uncorrected estimate (what the logging policy earned) is far off.
- Hostile logs (truncated, damaged, not a log, forged with a fixed-up
  checksum) are refused with one line and exit status 2; an interrupted log
  leaves nothing behind; a policy that cannot state its probabilities is
  refused as a behaviour policy."""
import json
import os
import shutil
import signal
import statistics
import subprocess
import time

import h5py
import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIVEGYM = os.path.join(ROOT, os.environ.get("LG_BUILD", "build"), "livegym")
SMALL = os.path.join(ROOT, "scenarios", "tabular-small.json")


def livegym(*args, cwd=None):
    return subprocess.run([LIVEGYM, *args], capture_output=True, text=True, timeout=600, cwd=cwd)


def log(path, *args, scenario=SMALL, agent="random", steps=1600, seed=1):
    r = livegym("log", scenario, "--agent", agent, "--steps", str(steps), "--seed", str(seed), "--out", str(path),
                *args)
    assert r.returncode == 0, r.stderr
    return r


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    """A Q-learner trained on tabular-small and kept: the policy to evaluate."""
    out = tmp_path_factory.mktemp("target") / "run"
    r = livegym("run", SMALL, "--agents", "q-learning", "--seeds", "1", "--steps", "4000", "--keep-agents", "--out",
                str(out))
    assert r.returncode == 0, r.stderr
    return str(out / "runs" / "q-learning" / "seed-1.policy")


def test_log_has_the_documented_structure(tmp_path):
    path = tmp_path / "eps.h5"
    r = log(path, agent="epsilon-greedy", steps=1600)
    with h5py.File(path, "r") as f:
        a = f.attrs
        assert a["format"] == "livegym-log" and a["format_version"] == 1
        assert a["agent"] == "epsilon-greedy" and a["propensity_method"] == "exact" and a["seed"] == 1
        slots, rows = int(a["slots"]), int(a["total_steps"])
        assert slots == 8 and rows == 1600 and int(a["env_steps"]) * slots == rows
        assert json.loads(a["scenario"])["name"] == "tabular-small"
        assert json.loads(a["params"]) == {"epsilon": 0.1}
        A = f["channel_tables"].shape[1]
        sd = f["observations"].shape[1]
        assert f["channel_tables"].shape[0] == rows // slots + 1 and f["masks"].shape == (rows // slots + 1, A)
        for name, dtype, shape in [("observations", np.float32, (rows, sd)), ("actions", np.int32, (rows,)),
                                   ("propensities", np.float64, (rows,)), ("rewards", np.float32, (rows,)),
                                   ("terminations", np.uint8, (rows,)), ("truncations", np.uint8, (rows,)),
                                   ("infos/viewer", np.int32, (rows,)), ("infos/watched", np.int32, (rows,)),
                                   ("infos/watch_minutes", np.float32, (rows,)), ("infos/state", np.int32, (rows,)),
                                   ("clock", np.float64, (rows // slots + 1,)),
                                   ("tail_observations", np.float32, (slots, sd))]:
            assert f[name].dtype == dtype and f[name].shape == shape, name
        act, prop, rew = f["actions"][:], f["propensities"][:], f["rewards"][:]
        masks, tables = f["masks"][:], f["channel_tables"][:]
        assert ((prop > 0) & (prop <= 1)).all()
        step = np.arange(rows) // slots
        assert (masks[step, act] == 1).all(), "a logged action off air"
        assert (tables[:, :, 0] == masks).all(), "the on_air column is the mask"
        # epsilon-greedy over 6 channels: explore 0.1/6 each, exploit 0.9 more
        assert np.isclose(prop, 0.1 / 6).any() and np.isclose(prop, 0.9 + 0.1 / 6).any()
        # the episodes table accounts for every row once
        ep = f["episodes"]
        first, length, complete = ep["first_row"][:], ep["length"][:], ep["complete"][:]
        slot, ret = ep["slot"][:], ep["return"][:]
        ended = f["terminations"][:] | f["truncations"][:]
        seen = np.zeros(rows, dtype=int)
        for e in range(len(first)):
            idx = first[e] + slots * np.arange(length[e])
            assert (idx % slots == slot[e]).all() and idx[-1] < rows
            seen[idx] += 1
            assert ended[idx[:-1]].sum() == 0 and ended[idx[-1]] == complete[e]
            assert np.isclose(rew[idx].astype(np.float64).sum(), ret[e], rtol=1e-9, atol=1e-9)
        assert (seen == 1).all()
        assert complete.sum() == int(a["total_episodes"])
        said = float(r.stdout.split("behaviour policy: ")[1].split()[0])
        assert abs(ret[complete == 1].mean() - said) < 1e-3


def test_ips_is_unbiased_and_the_correction_matters(tmp_path, target):
    K = 12
    err = {k: [] for k in ("ips", "snips", "dr", "behaviour")}
    covered = 0
    for seed in range(1, K + 1):
        path = tmp_path / f"r{seed}.h5"
        log(path, steps=2400, seed=seed)
        r = livegym("ope", str(path), "--target", target, "--json")
        assert r.returncode == 0, r.stderr
        o = json.loads(r.stdout)
        truth = o["truth"]["estimate"]
        for k in ("ips", "snips", "dr"):
            err[k].append(o[k]["estimate"] - truth)
        err["behaviour"].append(o["behaviour"] - truth)
        covered += o["ips"]["lo"] <= truth <= o["ips"]["hi"]
        os.remove(path)
    for k in ("ips", "snips", "dr"):
        m, se = statistics.mean(err[k]), statistics.stdev(err[k]) / K ** 0.5
        assert abs(m) <= 3 * se + 1e-9, f"{k}: mean error {m:.4f}, standard error {se:.4f}"
    m, se = statistics.mean(err["behaviour"]), statistics.stdev(err["behaviour"]) / K ** 0.5
    assert abs(m) > 10 * se, f"the logged reward is as good an estimate ({m:.4f} +- {se:.4f})"
    assert covered >= K * 3 // 4, f"IPS intervals held the truth in {covered} of {K} logs"


def body_hash(data):
    """The user block's hash of the bytes after it (tools/log_file.c)."""
    M = (1 << 64) - 1
    P = 0x100000001B3

    def fnv(h, b):
        for x in b:
            h = ((h ^ x) * P) & M
        return h
    lanes = [0xCBF29CE484222325 + k for k in range(4)]
    whole = len(data) // 32 * 32
    # the writer hashes 64 KB reads: every piece but the last is whole
    words = np.frombuffer(data[:whole], dtype="<u8").reshape(-1, 4)
    for row in words.tolist():
        for k in range(4):
            lanes[k] = ((lanes[k] ^ row[k]) * P) & M
    tail = fnv(0xCBF29CE484222325, data[whole:])
    return fnv(tail, b"".join(v.to_bytes(8, "little") for v in lanes))


def forge(src, dst, edit):
    """A copy of a log changed by edit(h5py file), its checksum fixed up."""
    shutil.copy(src, dst)
    with h5py.File(dst, "r+") as f:
        edit(f)
    data = bytearray(open(dst, "rb").read())
    data[12:20] = len(data).to_bytes(8, "little")
    data[20:28] = body_hash(bytes(data[512:])).to_bytes(8, "little")
    open(dst, "wb").write(bytes(data))


def test_hostile_logs_are_refused_in_one_line(tmp_path, target):
    good = tmp_path / "good.h5"
    log(good, steps=320)
    assert livegym("ope", str(good), "--target", target).returncode == 0
    data = open(good, "rb").read()
    cases = []

    def case(name, content, expect):
        p = tmp_path / name
        p.write_bytes(content)
        cases.append((p, expect))
    case("truncated.h5", data[: len(data) // 2], "length: expected")
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x10
    case("flipped.h5", bytes(flipped), "checksum mismatch")
    case("empty.h5", b"", "shorter than its 512-byte header")
    case("noise.h5", bytes(range(256)) * 8, "header magic")
    plain = tmp_path / "plain.h5"
    with h5py.File(plain, "w") as f:
        f["x"] = np.arange(3)
    cases.append((plain, "not a livegym log"))
    forged = tmp_path / "reward.h5"
    forge(good, forged, lambda f: f["rewards"].__setitem__(5, f["rewards"][5] + 1.0))
    cases.append((forged, "rewards[5]: the replay of the log's scenario gives"))
    zero = tmp_path / "zero.h5"
    forge(good, zero, lambda f: f["propensities"].__setitem__(7, 0.0))
    cases.append((zero, "propensities[7]: expected a probability in (0, 1], found 0"))
    gz = tmp_path / "gzip.h5"

    def compress(f):
        data = f["rewards"][:]
        del f["rewards"]
        f.create_dataset("rewards", data=data, compression="gzip")
    forge(good, gz, compress)
    cases.append((gz, 'dataset "rewards": missing, or not a plain dataset of this file'))
    soft = tmp_path / "soft.h5"

    def link(f):
        f["spare"] = f["rewards"][:]
        del f["rewards"]
        f["rewards"] = h5py.SoftLink("/spare")
    forge(good, soft, link)
    cases.append((soft, 'dataset "rewards": missing, or not a plain dataset of this file'))
    slate = tmp_path / "slate.h5"

    def slates(f):
        sc = json.loads(f.attrs["scenario"])
        sc["session"]["slate_size"] = 2
        f.attrs["scenario"] = json.dumps(sc)
    forge(good, slate, slates)
    cases.append((slate, "not a live world with slates of one"))
    wrong = tmp_path / "version.h5"
    forge(good, wrong, lambda f: f.attrs.__setitem__("format_version", np.int64(9)))
    cases.append((wrong, "attribute \"format_version\": expected 1 to 1, found 9"))
    for p, expect in cases:
        r = livegym("ope", str(p), "--target", target)
        assert r.returncode == 2, (p.name, r.stdout, r.stderr)
        assert expect in r.stderr and r.stderr.count("\n") == 1, (p.name, r.stderr)
    r = livegym("ope", str(good), "--target", str(good))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "--target" in r.stderr, r.stderr


def test_log_refusals_and_interruption(tmp_path):
    r = livegym("log", SMALL, "--agent", "ucb1", "--out", str(tmp_path / "u.h5"))
    assert r.returncode == 2 and "cannot be a logged behaviour policy" in r.stderr
    r = livegym("log", SMALL, "--agent", "random", "--out", str(tmp_path / "none" / "u.h5"), "--steps", "80")
    assert r.returncode == 2 and "cannot create" in r.stderr and r.stderr.count("\n") == 1
    out = tmp_path / "long.h5"
    p = subprocess.Popen([LIVEGYM, "log", SMALL, "--agent", "random", "--steps", "2000000000", "--out", str(out)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 130 and "interrupted; nothing written" in err
    assert list(tmp_path.iterdir()) == [], "an interrupted log left files"


def test_minari_layout_from_a_log(tmp_path):
    """tools/log_to_minari.py: one group per ended session, Minari's datasets
    with observations one longer than the steps (the final one included)."""
    src, dst = tmp_path / "eps.h5", tmp_path / "minari.hdf5"
    log(src, agent="epsilon-greedy", steps=800)
    r = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tools", "log_to_minari.py"), str(src), str(dst)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with h5py.File(src, "r") as f, h5py.File(dst, "r") as g:
        slots, sd = int(f.attrs["slots"]), f["observations"].shape[1]
        A, cd = f["channel_tables"].shape[1:]
        complete = f["episodes/complete"][:]
        assert g.attrs["total_episodes"] == complete.sum() == len(g.keys())
        lengths = f["episodes/length"][:][complete == 1]
        assert g.attrs["total_steps"] == lengths.sum()
        for n in range(len(lengths)):
            e = g[f"episode_{n}"]
            T = int(e.attrs["total_steps"])
            assert T == lengths[n]
            assert e["observations"].shape == (T + 1, sd + A * cd)
            for k in ("actions", "rewards", "terminations", "truncations", "infos/propensity"):
                assert e[k].shape == (T,), k
            ended = e["terminations"][:] | e["truncations"][:]
            assert ended[-1] and not ended[:-1].any()
        # the first episode's first observation is its row's slot part and that step's table
        e0 = np.flatnonzero(complete)[0]
        row = f["episodes/first_row"][e0]
        want = np.concatenate([f["observations"][row], f["channel_tables"][row // slots].reshape(-1)])
        assert (g["episode_0/observations"][0] == want).all()
