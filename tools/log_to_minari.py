#!/usr/bin/env python3
"""Rewrite a livegym log (livegym log, docs/logs.md) in Farama Minari's HDF5
layout: one group per episode (a viewer's session), episode_0, episode_1,
... in the order sessions ended, each with observations (steps + 1 rows:
the full flat observation, slot part then channel table, including the
final one), actions, rewards, terminations, truncations and infos
(propensity, viewer, watched, watch_minutes, state); root attributes
total_episodes and total_steps. Sessions the log left running are left out
(Minari's episodes end in a termination or truncation).

    python3 tools/log_to_minari.py LOG.h5 OUT.hdf5

Needs h5py and numpy (Debian: python3-h5py, python3-numpy)."""
import sys

import h5py
import numpy as np


def convert(src, dst):
    with h5py.File(src, "r") as f, h5py.File(dst, "w") as g:
        slots = int(f.attrs["slots"])
        obs, tables = f["observations"], f["channel_tables"]
        flat = lambda slot_part, table: np.concatenate([slot_part, tables[table].reshape(-1)])
        ep = f["episodes"]
        first, length, complete = ep["first_row"][:], ep["length"][:], ep["complete"][:]
        final = ep["final_observation"]
        infos = {"propensity": f["propensities"], "viewer": f["infos/viewer"], "watched": f["infos/watched"],
                 "watch_minutes": f["infos/watch_minutes"], "state": f["infos/state"]}
        steps = 0
        for n, e in enumerate(np.flatnonzero(complete)):
            rows = first[e] + slots * np.arange(length[e])
            o = [flat(obs[r], r // slots) for r in rows] + [flat(final[e], rows[-1] // slots + 1)]
            grp = g.create_group(f"episode_{n}")
            grp.attrs["id"] = n
            grp.attrs["total_steps"] = len(rows)
            grp["observations"] = np.stack(o).astype(np.float32)
            grp["actions"] = f["actions"][rows]
            grp["rewards"] = f["rewards"][rows]
            grp["terminations"] = f["terminations"][rows].astype(bool)
            grp["truncations"] = f["truncations"][rows].astype(bool)
            for k, d in infos.items():
                grp[f"infos/{k}"] = d[rows]
            steps += len(rows)
        g.attrs["total_episodes"] = int(complete.sum())
        g.attrs["total_steps"] = steps
        for k in ("scenario", "agent", "label", "params", "propensity_method", "seed", "livegym"):
            g.attrs[k] = f.attrs[k]
        g.attrs["algorithm_name"] = f.attrs["agent"]


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: log_to_minari.py LOG.h5 OUT.hdf5")
    convert(sys.argv[1], sys.argv[2])
