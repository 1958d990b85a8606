"""mgrad.Value: micrograd's API, mgrad's extra ops checked against PyTorch, the names a user's
own trace()/draw_dot() reads, and errors that never crash the interpreter."""

import math

import numpy as np
import pytest
import torch

import mgrad
from mgrad import Value


def test_lecture_example_and_micrograd_names():
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = Value(10.0, label="c")
    f = Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    L = d * f
    L.backward()
    assert L.data == -8.0
    assert (a.grad, b.grad, c.grad, f.grad, e.grad, d.grad) == (6.0, -4.0, -2.0, 4.0, -2.0, -2.0)
    assert repr(L) == "Value(data=-8.0, grad=1.0)"
    assert L._op == "*" and L.op == "mul"
    assert L._prev == {d, f}
    assert L.parents == (d, f)
    assert d.parents[0] is e  # one Python object per node while it lives
    assert e.label == "e" and a.label == "a" and L.label == ""
    assert a._op == "" and a.op == "leaf" and a._prev == set() and a.parents == ()


def test_values_are_hashable_by_node_identity():
    a = Value(1.0)
    s = a + a
    assert s.parents == (a, a) and s._prev == {a}  # as micrograd: set((a, a)) == {a}
    seen = {a: "a", s: "s"}
    assert seen[s.parents[0]] == "a"
    assert len({Value(1.0), Value(1.0)}) == 2  # different nodes, same data


def test_a_micrograd_trace_runs_unchanged():
    # The lecture's trace(), as users write it for micrograd's draw_dot.
    def trace(root):
        nodes, edges = set(), set()

        def build(v):
            if v not in nodes:
                nodes.add(v)
                for child in v._prev:
                    edges.add((child, v))
                    build(child)
        build(root)
        return nodes, edges

    x = Value(3.0)
    y = (x * 2 + 1).tanh() ** 2
    nodes, edges = trace(y)
    assert len(nodes) == 7  # x, 2, x*2, 1, +, tanh, **2
    assert sorted(n._op for n in nodes) == sorted(["", "", "", "*", "+", "tanh", "**2"])
    assert all(child in nodes for child, _ in edges)


def test_numbers_on_either_side():
    x = Value(3.0)
    cases = {
        "2 * x": (2 * x, 6.0), "x * 2": (x * 2, 6.0), "1 - x": (1 - x, -2.0),
        "x - 1": (x - 1, 2.0), "10.0 / x": (10.0 / x, 10.0 / 3.0), "x / 4": (x / 4, 0.75),
        "x ** 3": (x ** 3, 27.0), "2 ** x": (2 ** x, 8.0), "x + True": (x + True, 4.0),
        "-x": (-x, -3.0), "+x": (+x, 3.0), "abs(-x)": (abs(-x), 3.0),
    }
    for name, (v, expected) in cases.items():
        assert isinstance(v, Value), name
        assert v.data == expected, name
    assert (+x) is x


def test_value_exponent():
    x, y = Value(2.0), Value(3.0)
    z = x ** y
    z.backward()
    assert z.data == 8.0 and z.op == "pow"
    assert x.grad == 3.0 * 4.0
    assert y.grad == pytest.approx(8.0 * math.log(2.0))


def test_inplace_operators_rebind_like_micrograd():
    a = Value(-4.0)
    c = a
    c += 1
    assert c is not a and c.data == -3.0 and a.data == -4.0


def test_numpy_scalars_work_on_either_side():
    a = Value(2.0)
    assert (np.int64(-1) * a).data == -2.0  # the demo's -yi * scorei
    assert (a * np.float32(0.5)).data == 1.0
    assert (np.float64(1.5) + a).data == 3.5
    assert Value(np.float64(3.5)).data == 3.5
    with pytest.raises(TypeError):
        a * np.array([1.0, 2.0])


# Every function of one argument in the op table, against the PyTorch spelling its row gives.
functions = [row for row in mgrad._core.ops() if row["kind"] == "function" and row["arity"] == 1]


@pytest.mark.parametrize("row", functions, ids=[row["name"] for row in functions])
def test_methods_match_pytorch(row):
    op = row["name"]
    for x0 in (-1.7, 0.3, 1.2, 2.5):
        if op in ("log", "sqrt") and x0 < 0:
            continue
        x = Value(x0)
        y = getattr(x, op)() * 3.0
        y.backward()
        xt = torch.tensor([x0], dtype=torch.float64, requires_grad=True)
        yt = eval(row["torch"].format(a="xt"), {"torch": torch, "xt": xt}) * 3.0
        yt.backward()
        assert y.data == pytest.approx(yt.item(), rel=1e-15, abs=1e-300), (op, x0)
        assert x.grad == pytest.approx(xt.grad.item(), rel=1e-14, abs=1e-300), (op, x0)
        assert y.parents[0]._op == row["micrograd"]


def test_more_ops_against_pytorch_with_value_exponents_and_division():
    a, b = Value(-4.0), Value(2.0)
    c = (a * b + b ** 3).tanh() / (1 + b.exp()) - a.sigmoid() * (b ** a)
    c.backward()
    at = torch.tensor([-4.0], dtype=torch.float64, requires_grad=True)
    bt = torch.tensor([2.0], dtype=torch.float64, requires_grad=True)
    ct = (at * bt + bt ** 3).tanh() / (1 + bt.exp()) - at.sigmoid() * (bt ** at)
    ct.backward()
    assert c.data == pytest.approx(ct.item(), rel=1e-14)
    assert a.grad == pytest.approx(at.grad.item(), rel=1e-13)
    assert b.grad == pytest.approx(bt.grad.item(), rel=1e-13)


def test_setting_data_follows_micrograd():
    # micrograd: changing an input changes that Value only; values computed before keep the
    # numbers they were computed with until they are computed again.
    p = Value(2.0)
    q = p * 3
    p.data -= 0.5
    assert p.data == 1.5
    assert q.data == 6.0
    assert (p * 3).data == 4.5
    p.grad = 7
    assert p.grad == 7.0


def test_backward_accumulates_into_inputs_as_micrograd():
    x = Value(3.0)
    y = x * x
    y.backward()
    y.backward()
    assert x.grad == 12.0  # leaves accumulate until reset
    x.grad = 0
    y.backward()
    assert x.grad == 6.0


def test_wrong_types_raise_type_errors():
    x = Value(1.0)
    for bad in ("2", None, [1.0], object(), 1j):
        with pytest.raises(TypeError):
            x + bad
        with pytest.raises(TypeError):
            bad * x
        with pytest.raises(TypeError):
            x.data = bad
    with pytest.raises(TypeError):
        Value("1.0")
    with pytest.raises(TypeError):
        Value(x)
    with pytest.raises(TypeError):
        Value(1.0, (x,), "+")  # micrograd's internal constructor
    with pytest.raises(TypeError):
        x.label = 3
    with pytest.raises(AttributeError):
        del x.data
    with pytest.raises(AttributeError):
        x.op = "add"
    with pytest.raises(AttributeError):
        x.anything = 1  # no per-Value dict: a Value is small
    with pytest.raises(TypeError):
        pow(x, 2, 3)
    with pytest.raises(TypeError):
        x < 2
    with pytest.raises(OverflowError):
        x * 10 ** 400


def test_engine_errors_are_mgrad_errors():
    x = Value(1.0)
    y = x * 2
    with pytest.raises(mgrad.Error) as info:
        y.data = 5
    assert isinstance(info.value, ValueError)
    assert "only leaves and constants can be changed" in info.value.message
    assert info.value.span is None


def test_ieee_behaviour_and_non_finite_numbers():
    x = Value(-1.0)
    assert math.isnan(x.log().data)
    assert (1 / Value(0.0)).data == math.inf
    assert Value(math.inf).data == math.inf
    assert repr(Value(math.nan)) == "Value(data=nan, grad=0.0)"


def test_package_layout_mirrors_micrograd():
    from mgrad.engine import Value as V2
    from mgrad.nn import MLP, Layer, Module, Neuron  # noqa: F401
    assert V2 is Value
    assert mgrad.Value is Value
    assert mgrad.__version__.count(".") == 2
