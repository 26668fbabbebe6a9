"""The shared library through ctypes: where it is found, the C functions
this package calls with their signatures, and the C structs it reads
(mirrors of env/lg_env.h; tests/python/test_env.py checks them against the
values the C side reports)."""
import ctypes
import ctypes.util
import os

_HERE = os.path.dirname(os.path.abspath(__file__))


def _candidates():
    env = os.environ.get("LIVEGYM_LIBRARY")
    if env:
        yield env
        return
    # From the source tree after `make build` (python/livegym -> build/).
    yield os.path.join(_HERE, "..", "..", os.environ.get("LG_BUILD", "build"), "liblivegym.so.0")
    # Installed beside this package by `make install`, then the system's.
    yield os.path.join(_HERE, "liblivegym.so.0")
    found = ctypes.util.find_library("livegym")
    if found:
        yield found
    yield "liblivegym.so.0"


def _load():
    tried = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(path)
            continue
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            tried.append(f"{path} ({e})")
    raise ImportError("livegym: cannot find liblivegym.so.0: run `make build` (source tree) or `make install`, "
                      "or set LIVEGYM_LIBRARY to the library's path; tried: " + "; ".join(tried))


lib = _load()

c_float_p = ctypes.POINTER(ctypes.c_float)
c_u8_p = ctypes.POINTER(ctypes.c_uint8)
c_i32_p = ctypes.POINTER(ctypes.c_int32)


class Info(ctypes.Structure):
    _fields_ = [("watched", ctypes.c_int32), ("viewer", ctypes.c_int32), ("segment", ctypes.c_int32),
                ("session_step", ctypes.c_int32), ("watch_minutes", ctypes.c_float),
                ("budget_left", ctypes.c_float), ("chose", ctypes.c_uint8), ("invalid", ctypes.c_uint8),
                ("gifts", ctypes.c_uint8), ("follows", ctypes.c_uint8), ("r_watch", ctypes.c_float),
                ("r_gift", ctypes.c_float), ("r_follow", ctypes.c_float), ("r_invalid", ctypes.c_float),
                ("position", ctypes.c_int32), ("r_return", ctypes.c_float), ("idle", ctypes.c_uint8)]


class Buffers(ctypes.Structure):
    _fields_ = [("n_slots", ctypes.c_int), ("n_actions", ctypes.c_int), ("slate_size", ctypes.c_int),
                ("obs_dim", ctypes.c_int), ("slot_dim", ctypes.c_int), ("channel_dim", ctypes.c_int),
                ("n_states", ctypes.c_int), ("layout", ctypes.c_int),
                ("obs", c_float_p), ("slot_obs", c_float_p), ("channel_obs", c_float_p), ("mask", c_u8_p),
                ("state", c_i32_p), ("reward", c_float_p), ("terminated", c_u8_p), ("truncated", c_u8_p),
                ("info", ctypes.POINTER(Info)), ("final_obs", c_float_p), ("final_slot_obs", c_float_p),
                ("final_state", c_i32_p), ("n_channels", ctypes.c_int), ("candidates", c_i32_p),
                ("final_candidates", c_i32_p), ("final_mask", c_u8_p)]


class ObsBlock(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("scope", ctypes.c_int), ("offset", ctypes.c_int),
                ("size", ctypes.c_int), ("low", ctypes.c_float), ("high", ctypes.c_float)]


class ChannelState(ctypes.Structure):
    _fields_ = [("on_air", ctypes.c_int), ("launched", ctypes.c_int), ("concurrency", ctypes.c_float),
                ("background", ctypes.c_float), ("bots", ctypes.c_float), ("watchers", ctypes.c_int),
                ("log_popularity", ctypes.c_float), ("popularity_mean", ctypes.c_float),
                ("minutes_left", ctypes.c_float), ("minutes_since_start", ctypes.c_float),
                ("category", ctypes.c_int)]


class ObsBatch(ctypes.Structure):
    """lga_obs_batch (agents/lga_agent.h): what an agent sees for n slots."""
    _fields_ = [("n", ctypes.c_int), ("obs_dim", ctypes.c_int), ("slot_dim", ctypes.c_int),
                ("channel_dim", ctypes.c_int), ("n_actions", ctypes.c_int), ("slate_size", ctypes.c_int),
                ("n_states", ctypes.c_int), ("obs", c_float_p), ("slot_obs", c_float_p), ("channel_obs", c_float_p),
                ("mask", c_u8_p), ("state", c_i32_p), ("blocks", ctypes.POINTER(ObsBlock)),
                ("n_blocks", ctypes.c_int), ("env", ctypes.c_void_p),
                ("own_tables", ctypes.c_int)]


class TransitionBatch(ctypes.Structure):
    """lga_transition_batch: one step of n slots."""
    _fields_ = [("obs", ctypes.POINTER(ObsBatch)), ("actions", c_i32_p), ("reward", c_float_p),
                ("terminated", c_u8_p), ("truncated", c_u8_p), ("info", ctypes.POINTER(Info)),
                ("next", ctypes.POINTER(ObsBatch))]


class Copy(ctypes.Structure):
    """lga_copy: an owned copy of a batch (the observation acted on, the one to bootstrap from)."""
    _fields_ = [("batch", ObsBatch), ("obs", c_float_p), ("slot_obs", c_float_p), ("channel_obs", c_float_p),
                ("mask", c_u8_p), ("state", c_i32_p)]


CREATE_FN = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ObsBatch), ctypes.c_uint64,
                             ctypes.c_void_p, ctypes.c_size_t)
ACT_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(ObsBatch), ctypes.c_int, c_i32_p)
UPDATE_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(TransitionBatch))
FREE_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


class AgentType(ctypes.Structure):
    """lga_agent_type: an agent's name and callbacks (here: a Python policy's)."""
    _fields_ = [("name", ctypes.c_char_p), ("summary", ctypes.c_char_p), ("params", ctypes.c_void_p),
                ("cheats", ctypes.c_int), ("learns", ctypes.c_int), ("create", CREATE_FN), ("act", ACT_FN),
                ("update", UPDATE_FN), ("free", FREE_FN), ("state", ctypes.c_void_p), ("check", ctypes.c_void_p),
                ("scores", ctypes.c_void_p), ("epsilon", ctypes.c_void_p), ("probs", ctypes.c_void_p),
                ("probs_method", ctypes.c_char_p), ("use_team", ctypes.c_void_p)]


class RunOptions(ctypes.Structure):
    """lgx_run_options (tools/lab/lgx_binding.h): the flags of `livegym run`."""
    _fields_ = [("agents", ctypes.c_char_p), ("seeds", ctypes.c_long), ("steps", ctypes.c_long),
                ("minutes", ctypes.c_double), ("eval_every", ctypes.c_long), ("sessions", ctypes.c_long),
                ("slots", ctypes.c_long), ("baseline", ctypes.c_char_p), ("threads", ctypes.c_long),
                ("keep_agents", ctypes.c_int)]


LAYOUT_FLAT = 0


def _sig(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype, f.argtypes = restype, list(argtypes)
    return f


vp, sz, cp = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p
lg_version = _sig("lg_version", cp)
lg_scenario_new = _sig("lg_scenario_new", vp, cp, sz, cp, cp, sz)
lg_scenario_free = _sig("lg_scenario_free", None, vp)
lg_scenario_to_json = _sig("lg_scenario_to_json", ctypes.POINTER(ctypes.c_char), vp)
lg_env_create = _sig("lg_env_create", ctypes.c_int, vp, ctypes.c_int, ctypes.c_uint64, ctypes.c_int,
                     ctypes.POINTER(vp), cp, sz)
lg_env_free = _sig("lg_env_free", None, vp)
lg_env_reset = _sig("lg_env_reset", None, vp, ctypes.c_uint64)
lg_env_reset_slot = _sig("lg_env_reset_slot", None, vp, ctypes.c_int, ctypes.POINTER(ctypes.c_uint64))
lg_env_step = _sig("lg_env_step", None, vp, c_i32_p)
lg_env_buffers = _sig("lg_env_buffers", ctypes.POINTER(Buffers), vp)
lg_env_obs_layout = _sig("lg_env_obs_layout", ctypes.c_int, vp, ctypes.POINTER(ctypes.POINTER(ObsBlock)))
lg_env_expected_reward = _sig("lg_env_expected_reward", None, vp, ctypes.c_int, c_float_p)
lg_env_channel = _sig("lg_env_channel", None, vp, ctypes.c_int, ctypes.POINTER(ChannelState))
lg_env_clock = _sig("lg_env_clock", ctypes.c_double, vp)
lg_env_steps = _sig("lg_env_steps", ctypes.c_int64, vp)
lga_create = _sig("lga_create", vp, cp, cp, ctypes.POINTER(ObsBatch), ctypes.c_uint64, vp, sz)
lga_free = _sig("lga_free", None, vp)
lga_find = _sig("lga_find", vp, cp)
lga_count = _sig("lga_count", ctypes.c_int)
lga_at = _sig("lga_at", vp, ctypes.c_int)
lga_batch_from_env = _sig("lga_batch_from_env", None, vp, ctypes.POINTER(ObsBatch))
lga_copy_init = _sig("lga_copy_init", ctypes.c_int, vp, ctypes.POINTER(Copy))
lga_copy_current = _sig("lga_copy_current", None, vp, ctypes.POINTER(Copy))
lga_copy_next = _sig("lga_copy_next", None, vp, ctypes.POINTER(Copy))
lga_copy_free = _sig("lga_copy_free", None, ctypes.POINTER(Copy))
lga_save = _sig("lga_save", ctypes.c_int, vp, cp, vp, sz)
lga_load = _sig("lga_load", ctypes.c_int, vp, cp, vp, sz)
lgx_run_options_init = _sig("lgx_run_options_init", None, ctypes.POINTER(RunOptions))
PROGRESS_FN = ctypes.CFUNCTYPE(None, ctypes.c_double)
lgx_run_text = _sig("lgx_run_text", ctypes.c_int, cp, sz, cp, ctypes.POINTER(RunOptions),
                    ctypes.POINTER(ctypes.POINTER(AgentType)), ctypes.c_int, ctypes.POINTER(ctypes.c_int),
                    PROGRESS_FN, ctypes.POINTER(vp), ctypes.POINTER(vp), ctypes.POINTER(vp), vp, sz)

# The C library's free, for strings the library hands over.
_libc = ctypes.CDLL(ctypes.util.find_library("c"))
free = _libc.free
free.argtypes, free.restype = [vp], None


def take_string(ptr):
    """A malloc'd C string as a Python str, freed."""
    if not ptr:
        raise MemoryError("livegym: out of memory")
    try:
        return ctypes.cast(ptr, ctypes.c_char_p).value.decode()
    finally:
        free(ptr)
