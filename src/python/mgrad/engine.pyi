from typing import Dict

from ._core import Value as Value

def collect() -> int:
    """Drop every node no live Value depends on, now; returns the nodes kept."""
def tape_stats() -> Dict[str, int]:
    """nodes, values (held by Python), collections, next_collection; tapes (graphs alive)."""
def set_min_growth(nodes: int) -> None:
    """The tape grows by at least this many nodes between collections (262,144)."""
