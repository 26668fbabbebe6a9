"""The package under test is the source tree's (python/livegym) on the build
named by LG_BUILD (default build/)."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))
