"""Property-based fuzzing of a Session's Values used from Python: the session rule — what
`:save` writes replays to the same tape — after any sequence of Python operations on them,
hostile arguments included (setting data to NaN, ±inf, -0.0, huge ints; binding names to Values
bound or not; backward, grads, labels, operators, nn calls; `:quit` in the middle). Each
operation either is one of the session's statements (and so in its transcript) or is refused
with a documented exception and changes nothing.

Run: pytest tests/fuzz_python/fuzz_session.py with the build's python/ on PYTHONPATH;
MGRAD_FUZZ_EXAMPLES=N for a longer run (docs/reliability.md).
"""

from __future__ import annotations

import math
import os
import tempfile
import warnings

import pytest
from hypothesis import example, given, note
from hypothesis import strategies as st

import mgrad
import mgrad.nn as nn
from mgrad import Session

from fuzz_common import watchdog

_SCRATCH = tempfile.TemporaryDirectory(prefix="mgrad-fuzz-session-")
os.chdir(_SCRATCH.name)

SETUP = "a = 2; b = -3\nL = tanh(a*b)\nM = L * b\n"
NAMES = ["a", "b", "L", "M", "n", "z", "_x"]
numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from([0.0, -0.0, 1e308, -5e-324, 2, True, 10**308, 10**400]))
operation = st.one_of(
    st.tuples(st.just("setitem"), st.sampled_from(NAMES), numbers),
    st.tuples(st.just("bind"), st.sampled_from(NAMES), st.sampled_from(NAMES + ["old"])),
    st.tuples(st.just("data"), st.sampled_from(NAMES + ["old"]), numbers),
    st.tuples(st.just("grad"), st.sampled_from(NAMES), numbers),
    st.tuples(st.just("label"), st.sampled_from(NAMES), st.just("x")),
    st.tuples(st.just("backward"), st.sampled_from(NAMES + ["old"]), st.none()),
    st.tuples(st.just("_backward"), st.sampled_from(NAMES), st.none()),
    st.tuples(st.just("operator"), st.sampled_from(NAMES), numbers),
    st.tuples(st.just("nn"), st.sampled_from(NAMES), st.none()),
    st.tuples(st.just("run"), st.sampled_from(["a = a + 1", ":backward M", ":quit", "q = 1/0",
                                               ":set b 4", "zz = nope"]), st.none()),
)
# What a refused operation may raise: mgrad.Error (a ValueError), TypeError, KeyError for a
# name not bound, OverflowError for an int too large for a double.
REFUSED = (ValueError, TypeError, KeyError, OverflowError)


def apply(s: Session, old, kind, name, arg):
    value = (lambda n: old if n == "old" else s[n])
    if kind == "setitem":
        s[name] = arg
    elif kind == "bind":
        s[name] = value(arg)
    elif kind == "data":
        value(name).data = arg
    elif kind == "grad":
        s[name].grad = arg
    elif kind == "label":
        s[name].label = arg
    elif kind == "backward":
        value(name).backward()
    elif kind == "_backward":
        s[name]._backward()
    elif kind == "operator":
        s[name] * arg
    elif kind == "nn":
        nn.mse([s[name]], [1.0])
    else:
        s.run(name, check=True)


def state(s: Session):
    """Everything the tape holds that a replay must reproduce, NaN equal to NaN."""
    def bits(x):
        return "nan" if math.isnan(x) else repr(x)
    names = {n: (bits(s[n].data), bits(s[n].grad), s[n].label, s[n].op) for n in s.names()}
    tables = s.run(":vars", check=False).tables
    variables = [row[:-1] for row in tables[0].rows] if tables else []  # not where each was made
    return s.node_count, names, variables


@given(st.lists(operation, max_size=12))
@example([("setitem", "n", float("nan")), ("data", "a", float("inf"))])
@example([("run", ":quit", None), ("setitem", "z", 1.0)])
@example([("bind", "z", "old"), ("data", "old", 1.0), ("backward", "M", None)])
def test_python_operations_keep_the_session_rule(operations):
    s = Session()
    s.run(SETUP + "a = a * 2\n")  # the first a is now a#1: `old`, bound to no name
    old = s["a"].parents[0]
    for kind, name, arg in operations:
        if s.quit_requested:
            break
        note(f"{kind} {name!r} {arg!r}")
        with watchdog(), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # NaN and inf warn, as in the REPL
            before = state(s)
            try:
                apply(s, old, kind, name, arg)
            except REFUSED as exc:
                assert not isinstance(exc, (RuntimeError, SystemError)), exc
                if kind not in ("run",):  # a refused Python operation changes nothing
                    assert state(s) == before, (kind, name, arg, exc)
    if s.quit_requested:
        with pytest.raises(mgrad.Error, match="ended"):
            s.run("x = 1")
        return
    replay = Session(max_nodes=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        replay.run(s.transcript)
    assert state(replay) == state(s), s.transcript
