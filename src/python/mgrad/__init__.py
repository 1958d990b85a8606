"""mgrad — automatic differentiation you can see, from Python.

micrograd's API on mgrad's engine: `from mgrad import Value` (or `from mgrad.engine import
Value`, `from mgrad.nn import MLP`) runs code written for micrograd; `draw_dot(v)` draws the
graph in-process; `Session` runs the mgrad language. In a notebook, `%load_ext mgrad` makes
`%%mgrad` cells of the language, whose sessions `session(name)` returns. See docs/python.md.
"""

from ._core import Value, __version__
from .errors import Error, Span
from . import engine, nn
from .draw import Drawing, draw_dot
from .session import (Command, Diagnostic, FileWritten, Picture, Result, RunResult, Session,
                      Table, Text)
from .notebook import session

__all__ = [
    "Value", "Error", "Span", "draw_dot", "Drawing", "Session", "RunResult", "Text", "Result",
    "Table", "Diagnostic", "FileWritten", "Picture", "Command", "engine", "nn", "__version__",
    "session",
]


def __getattr__(name):
    # `%load_ext mgrad`: IPython looks these up; the extension is imported only then.
    if name in ("load_ipython_extension", "unload_ipython_extension"):
        from . import ipython
        return getattr(ipython, name)
    raise AttributeError(f"module 'mgrad' has no attribute {name!r}")
