"""micrograd's `engine` module on mgrad's tape: `from mgrad.engine import Value`.

The memory rule: a Value keeps alive everything it was computed from, as in micrograd; the
nodes no Value Python still holds depends on are dropped from the tape as it grows (see
docs/python.md, "Memory"). `collect()` does it now, `tape_stats()` shows the tape.
"""

from ._core import Value, collect, set_min_growth, tape_stats

__all__ = ["Value", "collect", "tape_stats", "set_min_growth"]
