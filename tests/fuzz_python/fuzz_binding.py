"""Property-based fuzzing of the Python package's argument conversion (src/python, mgrad._core).

Hypothesis feeds every entry point hostile arguments: wrong types, NaN, ±inf, -0.0, ints too
large for a double, NumPy scalars and arrays, None, nested lists, generators, strings with NUL
bytes or lone surrogates, Values of another graph, of a reset session or moved by a collection
of the tape. The property, for every call: it returns a correct result (checked against a
pure-Python reference where one applies, to the bit where the same IEEE operations run) or
raises a documented exception type (TypeError, ValueError — mgrad.Error is one —,
OverflowError, ZeroDivisionError); it never crashes, never hangs (fuzz_common.watchdog), and
never lets a C++ exception through as a RuntimeError or SystemError.

Run: pytest tests/fuzz_python/fuzz_binding.py with the build's python/ on PYTHONPATH;
MGRAD_FUZZ_EXAMPLES=N for a longer run (docs/reliability.md).
"""

from __future__ import annotations

import math
import os
import random
import re
import tempfile
import threading
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, example, given, note, settings
from hypothesis import strategies as st

import mgrad
import mgrad.engine
import mgrad.nn as nn
from mgrad import Session, Value

from fuzz_common import EXAMPLES, watchdog

# Commands that write files do it relative to the working directory: a scratch one.
_SCRATCH = tempfile.TemporaryDirectory(prefix="mgrad-fuzz-python-")
os.chdir(_SCRATCH.name)

# --- strategies -------------------------------------------------------------------------------

floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 1e-308, 5e-324, 1.7976931348623157e308, 710.0,
                     -745.0, 0.5, 2.0, math.pi]),
)
ints = st.one_of(st.integers(-10, 10), st.integers(), st.sampled_from(
    [2**53 + 1, 2**63, -2**63 - 1, 2**64, 10**308, 10**309, -10**400]))
numpy_scalars = st.one_of(
    floats.map(np.float64),
    st.floats(width=32, allow_nan=True).map(np.float32),
    st.integers(-2**63, 2**63 - 1).map(np.int64),
    st.booleans().map(np.bool_),
)
numbers = st.one_of(floats, ints, st.booleans(), numpy_scalars)
# Numbers a Value can hold (every int above is a double but the ones of 2**1024 and more).
doubles = st.one_of(floats, st.integers(-2**1000, 2**1000), st.booleans(), numpy_scalars)
odd_numbers = st.one_of(
    st.fractions(), st.decimals(allow_nan=True), st.complex_numbers(),
    st.just(Fraction(10**400, 3)), st.just(np.array([1.0])), st.just(np.array(2.0)),
)
strings = st.one_of(st.text(max_size=30), st.sampled_from(
    ["", "\x00", "a\x00b", "\ud800", "é", "\n", "1e309", "nan", "svg", "LR", "tb"]))
atoms = st.one_of(numbers, odd_numbers, strings, st.none(), st.binary(max_size=8),
                  st.just(object()), st.just(len))
hostile = st.recursive(
    atoms, lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                                   st.dictionaries(st.text(max_size=3), inner, max_size=2)),
    max_leaves=8)

# What a numeric argument may raise besides succeeding.
NUMERIC_ERRORS = (TypeError, ValueError, OverflowError)


def is_real(x) -> bool:
    """What mgrad documents as a number: int, float, bool, a NumPy scalar (not an array)."""
    return isinstance(x, (int, float, np.floating, np.integer, np.bool_))


def as_double(x) -> float:
    return float(x)


def converts(x) -> bool:
    """What the binding also takes as a number: a scalar that converts to float (Fraction,
    Decimal), never a container (a one-element array converts too) or a Value."""
    t = type(x)
    return (is_real(x) or hasattr(t, "__float__") or hasattr(t, "__index__")) and not (
        hasattr(t, "__len__") or isinstance(x, Value))


def same(a: float, b: float) -> bool:
    """Equal to the bit, NaN equal to NaN."""
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))


def close(a: float, b: float, rel: float = 1e-12) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-300)


def check_exception(exc: BaseException, allowed=NUMERIC_ERRORS) -> None:
    note(f"raised {type(exc).__name__}: {exc}")
    assert isinstance(exc, allowed), f"undocumented exception {type(exc).__name__}: {exc}"
    assert not isinstance(exc, (RuntimeError, SystemError)), f"internal exception: {exc}"
    assert "incompatible function arguments" not in str(exc) or isinstance(exc, TypeError)


def call(fn, *args, allowed=NUMERIC_ERRORS, **kwargs):
    """(True, result) or (False, the exception), the exception checked to be documented."""
    with watchdog():
        try:
            return True, fn(*args, **kwargs)
        except BaseException as exc:  # noqa: B902 — the point is to look at every kind
            check_exception(exc, allowed)
            return False, exc


# --- Value: construction and setters ----------------------------------------------------------


@given(hostile, strings)
@example(10**400, "")
@example(float("nan"), "\ud800")
@example(np.array([1.0]), "a")
def test_value_construction(data, label):
    ok, v = call(Value, data, label=label)
    if is_real(data) and isinstance(label, str) and "\ud800" not in label:
        big = isinstance(data, int) and not isinstance(data, bool) and abs(data) >= 2**1024
        if big:
            assert not ok and isinstance(v, OverflowError)
            return
        surrogate = any(0xD800 <= ord(c) <= 0xDFFF for c in label)
        if surrogate:
            assert not ok
            return
        assert ok, v
        assert same(v.data, as_double(data)) and v.grad == 0.0 and v.label == label
        assert v.op == "leaf" and v._op == "" and v.parents == ()
    elif not converts(data):
        assert not ok


@given(hostile, st.sampled_from(["data", "grad", "label"]))
def test_value_setters(x, attribute):
    v = Value(1.5)
    w = v * 2.0
    ok, _ = call(setattr, v, attribute, x)
    if attribute == "label":
        assert ok == (isinstance(x, str) and not any(0xD800 <= ord(c) <= 0xDFFF for c in x))
        return
    if ok:
        assert converts(x)
        assert same(getattr(v, attribute), float(x))
        if attribute == "data":  # micrograd's rule on the default graph: w keeps its number
            assert w.data == 3.0
    elif is_real(x):
        assert isinstance(x, int) and abs(x) >= 2**1024  # only a too-large int is refused


# --- Value: arithmetic against IEEE arithmetic ------------------------------------------------

BINARY = {
    "+": (lambda a, b: a + b, lambda a, b: np.float64(a) + np.float64(b)),
    "-": (lambda a, b: a - b, lambda a, b: np.float64(a) - np.float64(b)),
    "*": (lambda a, b: a * b, lambda a, b: np.float64(a) * np.float64(b)),
    "/": (lambda a, b: a / b, lambda a, b: np.float64(a) / np.float64(b)),
}


@given(st.sampled_from(sorted(BINARY)), doubles, st.one_of(numbers, atoms, hostile),
       st.booleans())
@example("/", 1.0, 0.0, False)
@example("/", 1.0, -0.0, True)
@example("*", 2.0, 10**400, False)
def test_binary_operators(op, a, other, value_on_left):
    fn, reference = BINARY[op]
    v = Value(a)
    ok, r = call(fn, v, other) if value_on_left else call(fn, other, v)
    if not is_real(other):
        if isinstance(other, np.ndarray) or not converts(other):
            # docs/python.md: Values do not mix with arrays (a TypeError), nor with anything
            # that is not a number.
            assert not ok and isinstance(r, TypeError), r
        return
    if isinstance(other, int) and not isinstance(other, bool) and abs(other) >= 2**1024:
        assert not ok and isinstance(r, OverflowError)
        return
    assert ok, r
    assert isinstance(r, Value)
    with np.errstate(all="ignore"):
        expected = float(reference(a, other) if value_on_left else reference(other, a))
    assert same(r.data, expected), (r.data, expected)
    # Gradients: d(a op b) by the table of docs/engine.md.
    r.backward()
    x, y = (float(a), float(other)) if value_on_left else (float(other), float(a))
    with np.errstate(all="ignore"):
        dx, dy = {"+": (1.0, 1.0), "-": (1.0, -1.0), "*": (y, x),
                  "/": (float(np.float64(1.0) / y), float(-(np.float64(x) / y) / y))}[op]
    # (A gradient accumulates from +0, so -0 comes out as +0.)
    assert same(v.grad + 0.0, (dx if value_on_left else dy) + 0.0), (v.grad, dx, dy)


UNARY = {
    "tanh": (math.tanh, lambda x, y: 1 - y * y),
    "exp": (lambda x: math.exp(x) if x < 709 else math.inf, lambda x, y: y),
    "log": (lambda x: math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan),
            lambda x, y: 1 / x),
    "sigmoid": (lambda x: 1 / (1 + math.exp(-x)) if x > -709 else 0.0,
                lambda x, y: (1 - y) * y),
    "sqrt": (lambda x: math.sqrt(x) if x >= 0 else math.nan, lambda x, y: 1 / (2 * y)),
    "relu": (lambda x: 0.0 if x < 0 else x, lambda x, y: 1.0 if y > 0 else 0.0),
    "abs": (abs, lambda x, y: math.copysign(1.0, x) if x != 0 else 0.0),
    "sin": (math.sin, lambda x, y: math.cos(x)),
    "cos": (math.cos, lambda x, y: -math.sin(x)),
    "step": (lambda x: 1.0 if x > 0 else 0.0, lambda x, y: 0.0),
    "sign": (lambda x: (x > 0) - (x < 0), lambda x, y: 0.0),
    "tan": (math.tan, lambda x, y: 1 + y * y),
    "atan": (math.atan, lambda x, y: 1 / (1 + x * x)),
}


def test_every_method_of_the_op_table_has_a_reference():
    methods = {row["name"] for row in mgrad._core.ops()
               if row["kind"] == "function" and row["arity"] == 1}
    assert methods == set(UNARY), f"UNARY lacks {sorted(methods - set(UNARY))}"


@given(st.sampled_from(sorted(UNARY)), st.floats(-50, 50))
@example("relu", -0.0)
@example("abs", 0.0)
@example("log", 0.0)
@example("sqrt", 0.0)
def test_unary_ops_against_reference(name, x):
    forward, derivative = UNARY[name]
    v = Value(x)
    y = getattr(v, name)()
    expected = float(forward(x))
    assert close(y.data, expected, 1e-12), (name, x, y.data, expected)
    y.backward()
    if x == 0 and name in ("log", "sqrt"):
        assert math.isinf(v.grad) or math.isnan(v.grad)
        return
    assert close(v.grad, float(derivative(x, expected)), 1e-9), (name, x, v.grad)


@given(floats, st.one_of(floats, st.integers(-4, 4)))
@example(0.0, 2)
@example(0.0, 0.0)
@example(-8.0, 1 / 3)
def test_power_with_a_constant_exponent(a, k):
    v = Value(a)
    ok, r = call(lambda: v ** k)
    assert ok, r
    with np.errstate(all="ignore"):
        expected = float(np.power(np.float64(a), np.float64(k)))
    assert close(r.data, expected), (a, k, r.data, expected)
    r.backward()
    if k == 0:
        assert v.grad == 0.0  # "exactly 0 when k = 0"
    elif math.isfinite(a) and math.isfinite(k) and 1e-10 < a < 1e10 and abs(k) < 20:
        assert close(v.grad, k * a ** (k - 1), 1e-9)


# --- Values of different graphs, stale and moved Values --------------------------------------

@given(st.sampled_from(["+", "*", "-", "/", "**"]), st.booleans(), st.integers(0, 3))
def test_values_of_two_graphs_and_stale_ones(op, session_left, kind):
    s = Session()
    s.run("a = 2; b = a * 3")
    ours, theirs = Value(5.0), s["b"]
    fn = {"+": lambda x, y: x + y, "*": lambda x, y: x * y, "-": lambda x, y: x - y,
          "/": lambda x, y: x / y, "**": lambda x, y: x ** y}[op]
    if kind == 0:  # two graphs
        ok, r = call(fn, theirs, ours) if session_left else call(fn, ours, theirs)
        assert not ok and isinstance(r, mgrad.Error) and "two different graphs" in str(r)
        ok, r = call(nn.mse, [theirs], [ours])
        assert not ok and isinstance(r, mgrad.Error)
        return
    if kind == 1:  # a reset session: its Values are stale
        s.reset()
        for use in (lambda: theirs.data, lambda: fn(theirs, 1.0), lambda: theirs.backward(),
                    lambda: mgrad.draw_dot(theirs), lambda: s.__setitem__("z", theirs)):
            ok, r = call(use)
            assert not ok and isinstance(r, (mgrad.Error, TypeError)), r
        assert "stale" in repr(theirs)
        return
    if kind == 2:  # binding another graph's Value to a name
        ok, r = call(s.__setitem__, "z", ours)
        assert not ok and isinstance(r, TypeError)
        return
    # A collection of the default tape moves held Values; they keep their numbers.
    x = Value(3.0)
    y = fn(x, Value(2.0)) if op != "**" else x ** 2.0
    before = (x.data, y.data)
    for _ in range(50):
        (Value(1.0) * 2.0).tanh()  # garbage for the collector
    mgrad.engine.collect()
    assert (x.data, y.data) == before or all(map(math.isnan, before))
    y.backward()
    z = y * x  # Values made before the collection combine with new ones
    assert same(z.data, y.data * x.data)


# --- nn: modules called with hostile inputs, against micrograd's Python forward pass ----------

def reference_neuron(w, b, nonlin, xs):
    act = b
    for wi, xi in zip(w, xs):
        act = act + wi * xi
    return (0.0 if act < 0 else act) if nonlin else act


def data_of(x):
    return x.data if isinstance(x, Value) else float(x)


inputs = st.one_of(
    st.lists(numbers, max_size=6),
    st.lists(st.one_of(numbers, atoms), max_size=5),
    st.tuples(floats, floats),
    hostile,
)


@given(st.integers(0, 5), st.one_of(st.booleans(), hostile), inputs,
       st.sampled_from(["list", "tuple", "generator", "array", "values"]))
@example(2, True, [1.0, "x"], "generator")
@example(2, True, [1.0, 2.0], "generator")
@example(1, True, [2**1100], "list")
def test_neuron_call(nin, nonlin, x, container):
    random.seed(nin)
    n = nn.Neuron(nin, nonlin=nonlin)
    elements = x if isinstance(x, (list, tuple)) else None
    if elements is not None and container != "list":
        try:
            x = {"tuple": tuple, "generator": lambda e: (i for i in e),
                 "array": np.array, "values": lambda e: [Value(i) for i in e]}[container](elements)
        except NUMERIC_ERRORS:
            x = elements
    ok, out = call(n, x)
    numeric = elements is not None and all(is_real(e) for e in elements) and not any(
        isinstance(e, int) and not isinstance(e, bool) and abs(e) >= 2**1024 for e in elements)
    if not numeric:
        return
    assert ok, out
    truthy = call(bool, nonlin)
    assume(truthy[0])
    expected = reference_neuron([w.data for w in n.w], n.b.data, truthy[1],
                                [float(e) for e in elements])
    assert same(data_of(out), expected), (data_of(out), expected)


@given(st.integers(0, 4), st.lists(st.integers(0, 4), max_size=3), inputs)
@example(2, [], [1.0, 2.0])
@example(2, [0, 1], [1.0, 2.0])
def test_mlp_call(nin, nouts, x):
    random.seed(len(nouts))
    model = nn.MLP(nin, nouts)
    ok, out = call(model, x)
    if not (isinstance(x, list) and all(is_real(e) for e in x)) or any(
            isinstance(e, int) and not isinstance(e, bool) and abs(e) >= 2**1024 for e in x):
        return
    assert ok, out
    xs = [float(e) for e in x]
    for layer in model.layers:
        xs = [reference_neuron([w.data for w in n.w], n.b.data, n.nonlin, xs)
              for n in layer.neurons]
    if not model.layers:
        assert out is x
        return
    got = [data_of(o) for o in out] if isinstance(out, list) else [data_of(out)]
    assert len(got) == len(xs) and all(same(a, b) for a, b in zip(got, xs)), (got, xs)


@given(st.sampled_from(["w", "b", "nonlin", "neurons", "layers"]), hostile,
       st.lists(floats, min_size=2, max_size=2))
def test_modules_with_replaced_attributes(attribute, replacement, x):
    model = nn.MLP(2, [2, 1])
    target = {"w": model.layers[0].neurons[0], "b": model.layers[0].neurons[0],
              "nonlin": model.layers[0].neurons[0], "neurons": model.layers[0],
              "layers": model}[attribute]
    setattr(target, attribute, replacement)
    call(model, x)
    call(target, x)


# --- losses and optimisers --------------------------------------------------------------------

sequences = st.one_of(st.lists(numbers, max_size=5), st.lists(st.one_of(numbers, atoms),
                                                               max_size=4), hostile)


@given(st.sampled_from(["mse", "svm", "binary_cross_entropy", "cross_entropy", "l2"]),
       sequences, sequences, st.one_of(strings, st.sampled_from(["mean", "sum"]), hostile))
@example("mse", [1.0, 2.0], [0.0, 0.0], "sum")
@example("mse", [1.0], [0.0, 0.0], "mean")
@example("mse", [0.0], [10**400], "")
@example("cross_entropy", [[1.0, 2.0]], [5], "")
@example("cross_entropy", [[1.0, 2.0]], [-1], "")
@example("cross_entropy", [[1.0, 2.0]], [2**70], "")
@example("l2", [1.0, 2.0], float("nan"), "")
def test_losses(loss, a, b, reduction):
    fn = getattr(nn, loss)
    if loss == "mse":
        ok, r = call(fn, a, b, reduction)
    elif loss == "l2":
        params = [Value(float(e)) for e in a if is_real(e) and abs(e) < 1e300] \
            if isinstance(a, list) else a
        ok, r = call(fn, params, b)
    else:
        ok, r = call(fn, a, b)
    if ok:
        assert isinstance(r, Value)
    # The reference: mse and svm on plain numbers of equal length.
    if (loss in ("mse", "svm") and isinstance(a, list) and isinstance(b, list) and a
            and len(a) == len(b) and all(is_real(e) and abs(e) < 1e100 for e in a + b)
            and (loss == "svm" or reduction in ("mean", "sum"))):
        assert ok, r
        xs, ys = [float(e) for e in a], [float(e) for e in b]
        if loss == "mse":
            total = sum((p - t) ** 2 for p, t in zip(xs, ys))
            expected = total / len(xs) if reduction == "mean" else total
        else:
            expected = sum(max(0.0, 1 - y * s) for s, y in zip(xs, ys)) / len(xs)
        assert close(r.data, expected, 1e-9), (r.data, expected)


@given(st.sampled_from(["SGD", "Adam"]), st.one_of(numbers, hostile, st.just(lambda k: "x"),
                                                  st.just(lambda k: 1 / 0),
                                                  st.just(lambda k: 10**400),
                                                  st.just(lambda k: 0.1)),
       st.one_of(st.tuples(floats, floats), hostile), st.one_of(floats, hostile),
       st.lists(st.one_of(st.builds(Value, floats), atoms), max_size=3))
@example("SGD", "0.1", (0.9, 0.999), 1e-8, [])
@example("SGD", lambda k: "x", (0.9, 0.999), 1e-8, [])
@example("Adam", 0.1, (0.9, 0.999), "x", [])
def test_optimisers(kind, lr, betas, eps, params):
    params = [p for p in params]
    if kind == "SGD":
        ok, opt = call(nn.SGD, params, lr=lr)
    else:
        ok, opt = call(nn.Adam, params, lr=lr, betas=betas, eps=eps)
    if not ok:
        return
    for p in opt.parameters:
        p.grad = 1.0
    before = [p.data for p in opt.parameters]
    ok, r = call(opt.step, allowed=NUMERIC_ERRORS + (ZeroDivisionError,))
    if ok and kind == "SGD" and not callable(lr):
        for p, b in zip(opt.parameters, before):
            assert same(p.data, b - float(lr) * 1.0) or close(p.data, b - float(lr))
    call(opt.zero_grad)
    call(lambda: opt.lr, allowed=NUMERIC_ERRORS + (ZeroDivisionError,))


# --- draw_dot ---------------------------------------------------------------------------------

OPTION_NAMES = ["decimals", "hide_constants", "depth", "cluster", "cluster_modules",
                "collapse_modules", "max_nodes", "shade", "legend", "tb", "lr", "format"]


@given(st.one_of(st.sampled_from(["svg", "dot", "json", "SVG", "png"]), strings, hostile),
       st.one_of(st.sampled_from(["LR", "TB", "lr"]), strings, hostile),
       st.dictionaries(st.one_of(st.sampled_from(OPTION_NAMES), st.text(max_size=8)),
                       st.one_of(st.booleans(), st.integers(), st.text(max_size=12),
                                 st.lists(st.text(max_size=4), max_size=2), floats, st.none()),
                       max_size=3))
@example("svg", "LR", {"decimals": 10**30})
@example("svg", "LR", {"depth": -1})
@example("svg", "LR", {"cluster": "a b\nc"})
@example("svg", "LR", {"max_nodes": 0})
@example("dot", "TB", {"decimals": float("nan")})
@example("svg", "\x00", {})
def test_draw_dot(fmt, rankdir, options):
    a = Value(2.0, label="a")
    L = (a * Value(-3.0, label="b") + 1.0).tanh()
    L.label = "L"
    kwargs = {k: v for k, v in options.items() if k.isidentifier() and k not in ("format",
                                                                                 "rankdir")}
    ok, d = call(mgrad.draw_dot, L, format=fmt, rankdir=rankdir, **kwargs)
    if ok:
        assert isinstance(d, mgrad.Drawing) and d.data
        if d.format in ("svg", "dot", "json"):
            d.source  # decodes as UTF-8
    # The root must be a Value.
    ok, r = call(mgrad.draw_dot, fmt)
    assert not ok


# --- Session ----------------------------------------------------------------------------------

TOKENS = ["a", "b", "x", "L", "=", "+", "-", "*", "/", "**", "(", ")", ",", ";", "\n", " ",
          "2", "-3", "0", "1e308", "1e-320", "nan", "inf", "tanh(", "relu(", "grad(", "log(",
          "sqrt(", ":backward", ":grad", ":vars", ":tree", ":reset", ":set", ":help",
          ":draw", ":save", ":load", ":minimize", "steps=", "lr=", ":plot", ":trace", "frames",
          ":step", ":quit", "s.mg", "p.svg", '"', "#", "\\", "\x00", "é", "\ud800", "\r"]
programs = st.one_of(
    st.lists(st.sampled_from(TOKENS), max_size=25).map("".join),
    st.text(max_size=60),
)
SETUP = "a = 2; b = -3; x = 0.5\nL = tanh(a*b + x)\n:backward L\n"


def safe(text: str) -> bool:
    """No command may name a file outside the scratch directory (the tests run as any user,
    root included)."""
    return not (":" in text and ("/" in text or "~" in text))


def same_session(live: Session, replay: Session) -> None:
    """The session rule: what :save writes rebuilds every binding's data."""
    for name in live.names():
        a, b = live[name].data, replay[name].data
        assert same(a, b), (name, a, b)


@given(programs, st.one_of(strings, st.sampled_from(["<cell 1>"])),
       st.one_of(st.integers(-2, 5), st.sampled_from([2**32, 2**32 - 1, -2**40])))
@example("a = 2\n\ud800", "<python>", 1)
@example("\x00", "<python>", 2**32 - 1)
@example(":draw L p.svg lr\n:save s.mg\n:load s.mg", "\x00", 1)
@example("x = 1e308 * 10", "<python>", 1)
def test_session_run(text, source, first_line):
    assume(safe(text))
    s = Session(max_nodes=20_000)
    s.run(SETUP)
    ok, r = call(s.run, text, source=source, first_line=first_line, check=False)
    if not ok:
        # Only a source or first line of the wrong kind, or text that is not Unicode.
        bad_text = any(0xD800 <= ord(c) <= 0xDFFF for c in text + str(source))
        assert bad_text or not (0 <= first_line < 2**32), r
        return
    assert isinstance(r, mgrad.RunResult) and isinstance(r.ok, bool)
    for e in r.events:
        assert isinstance(e, (mgrad.Text, mgrad.Result, mgrad.Table, mgrad.Diagnostic,
                              mgrad.FileWritten, mgrad.Picture))
        if isinstance(e, mgrad.Diagnostic) and e.span is not None:
            assert e.span.offset + e.span.length <= len(text.encode()) + 1, e
    assert r.ok == (not r.errors) or r.interrupted
    if s.quit_requested:
        return
    # The session rule after any run, failed or not.
    replay = Session(max_nodes=0)
    replay.run(s.transcript, check=False)
    same_session(s, replay)


@given(st.one_of(hostile, strings), st.one_of(numbers, hostile))
@example("x = 1\n:save owned.mg\n#", 2.0)
@example("a; :reset; b", 1.0)
@example("good", float("nan"))
@example("2x", float("inf"))
def test_session_setitem(name, value):
    s = Session()
    s.run("a = 1")
    ok, r = call(s.__setitem__, name, value)
    valid_name = isinstance(name, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name)
    if ok:
        assert valid_name, f"bound a value to {name!r}"
        assert is_real(value) and not isinstance(value, (bool, np.bool_))
        assert same(s[name].data, float(value))
        assert s.names() == ["a", name] or name == "a"
    assert not os.path.exists("owned.mg")


@given(st.one_of(strings, hostile))
@example("\ud800")
@example("a\x00")
def test_session_lookups(name):
    s = Session()
    s.run("abc = 1")
    call(s.get, name)
    call(lambda: name in s, allowed=())
    ok, r = call(s.__getitem__, name, allowed=NUMERIC_ERRORS + (KeyError,))
    if ok:
        assert name == "abc"
    call(s.help, name)
    call(s.completions, name)
    call(s.complete, name)
    if isinstance(name, str):  # a line around the word: after a command, in its arguments
        for line in (":draw abc " + name, ":help " + name, ":" + name + " "):
            call(s.complete, line)
    call(s.command_spec, name)
    call(Session.is_incomplete, name)


@given(st.one_of(st.booleans(), hostile), st.one_of(st.booleans(), hostile),
       st.one_of(st.integers(), hostile), st.one_of(st.booleans(), hostile))
@example(False, False, np.array([1.0]), False)
@example(True, False, -1, True)
@example(1, 0, 2**64, None)
@example(False, False, 5, False)  # a cap of 5 refuses `a = 1 + 1` by its bound
def test_session_options(keep_going, echo, max_nodes, pictures):
    ok, s = call(Session, keep_going=keep_going, echo=echo, max_nodes=max_nodes,
                 pictures=pictures)
    if ok:  # (pybind11 takes a one-element array as an int: its own conversion)
        r = s.run("a = 1 + 1", check=False)
        assert (r.ok and s["a"].data == 2.0) or refused_by_cap(s, r)
    s = Session()
    call(setattr, s, "max_nodes", max_nodes)
    call(setattr, s, "keep_going", keep_going)
    r = s.run("b = 2", check=False)
    assert r.ok or refused_by_cap(s, r)


def refused_by_cap(s, r):
    """A small node cap refuses a statement before it runs, from a bound on the nodes its text
    could make (not the nodes it would make): refused, with the cap's message, and nothing else."""
    diagnostics = [e for e in r.events if type(e).__name__ == "Diagnostic"]
    return (0 < s.max_nodes < 64 and not r.ok and len(diagnostics) == 1
            and "past the limit" in diagnostics[0].text)


# Each example waits for its interrupt and replays the session: a tenth as many examples.
@settings(max_examples=max(5, EXAMPLES // 10))
@given(st.floats(0, 0.3), st.sampled_from([
    "x = 3; M = (x - 1)**2\n:minimize M steps=10000000 lr=0.000001",
    "x = 0.5; y = x\n:minimize y steps=10000000 lr=0.000001\nz = x * 2",
]))
def test_interrupt_from_another_thread(delay, program):
    s = Session()
    done = threading.Event()

    def interrupter():  # until the run returns: an interrupt before it starts is dropped
        done.wait(delay)
        while not done.is_set():
            s.interrupt()
            done.wait(0.02)

    thread = threading.Thread(target=interrupter)
    thread.start()
    try:
        ok, r = call(s.run, program, check=False)
    finally:
        done.set()
        thread.join()
    assert ok, r
    assert r.interrupted
    # Interrupted or not, the session goes on and :save replays to its state.
    assert s.run("after = 1").ok
    replay = Session(max_nodes=0)
    replay.run(s.transcript, check=False)
    same_session(s, replay)


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
