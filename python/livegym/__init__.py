"""livegym from Python: the C simulator of a live-streaming recommendation
platform behind Gymnasium's Env and VectorEnv APIs (docs/python.md).

    import livegym
    env = livegym.make(num_envs=64, seed=1)      # or make("scenarios/drift.json", ...)
    obs, info = env.reset()
    obs, reward, terminated, truncated, info = env.step(actions)

    result = livegym.evaluate(my_policy, "scenarios/drift.json", seeds=5, against=["random"])
    agent = livegym.Agent("q-learning", env=env, seed=1)   # the C agents
"""
from . import _lib
from .agent import Agent, agent_names
from .env import OBS_MODES, Env, VectorEnv, make
from .evaluate import Evaluation, evaluate
from .policy import Batch, Transition
from .spaces import HAVE_GYMNASIUM

__version__ = _lib.lg_version().decode()

__all__ = ["make", "Env", "VectorEnv", "OBS_MODES", "HAVE_GYMNASIUM", "evaluate", "Evaluation", "Agent",
           "agent_names", "Batch", "Transition", "__version__"]
