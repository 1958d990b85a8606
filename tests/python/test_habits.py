"""micrograd's habits, from its engine.py and nn.py and from the lecture that builds them: each
one works as in micrograd, or its error names a line that does (and the test runs that line)."""

import re

import pytest

import mgrad
from mgrad import Value
from mgrad.nn import MLP, Neuron


def lecture_neuron():
    """The lecture's neuron, as typed in the lecture."""
    x1 = Value(2.0, label="x1")
    x2 = Value(0.0, label="x2")
    w1 = Value(-3.0, label="w1")
    w2 = Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1; x1w1.label = "x1*w1"
    x2w2 = x2 * w2; x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2; x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b; n.label = "n"
    o = n.tanh(); o.label = "o"
    return o


def build_topo(root):
    """The lecture's topological sort, through `_prev`."""
    topo, visited = [], set()

    def visit(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                visit(child)
            topo.append(v)
    visit(root)
    return topo


def test_the_lectures_backward_by_hand_with_underscore_backward():
    o = lecture_neuron()
    o.grad = 1.0
    for node in reversed(build_topo(o)):
        node._backward()
    by_hand = {v.label: v.grad for v in build_topo(o)}
    o2 = lecture_neuron()
    o2.backward()
    assert by_hand == {v.label: v.grad for v in build_topo(o2)}
    assert by_hand["x1"] == pytest.approx(-1.5) and by_hand["w2"] == 0.0


def test_labels_prev_and_op_as_the_lectures_draw_dot_reads_them():
    o = lecture_neuron()
    nodes = build_topo(o)
    assert [v.label for v in nodes][-1] == "o" and o._op == "tanh"
    n = next(iter(o._prev))
    assert n.label == "n" and n._op == "+" and {p.label for p in n._prev} == {"x1*w1 + x2*w2", "b"}
    assert isinstance(o._prev, set) and Value(1.0)._op == "" and Value(1.0)._prev == set()


def test_value_takes_micrograds_signature():
    a = Value(2.0, (), "", "a")  # data, _children, _op, label — the lecture's order
    assert a.label == "a" and a._op == "" and a._prev == set()
    assert Value(3.0, label="c").label == "c"
    assert Value(data=1.0, _children=(), _op="").data == 1.0


def hinted_line(message):
    match = re.search(r"write (.+)$", message)
    assert match, message
    return match.group(1)


def computed_values():
    """One node of every op a micrograd user can make, from the op table's ops."""
    a, b = Value(0.7, label="a"), Value(1.3, label="b")
    made = [a + b, a - b, a * b, a / b, -a, a ** 3, a ** b, a * 2, 2 - a]
    made += [getattr(a, row["name"])() for row in mgrad._core.ops()
             if row["kind"] == "function" and row["arity"] == 1]
    return made


@pytest.mark.parametrize("node", computed_values(), ids=lambda v: v._op)
def test_micrograds_internal_constructor_says_which_line_makes_the_node(node):
    with pytest.raises(TypeError) as info:
        Value(node.data, tuple(node.parents), node._op)
    message = str(info.value)
    assert "bytes-like" not in message and "micrograd" in message
    names = {p.label or "xyz"[i]: p for i, p in enumerate(node.parents)}
    made = eval(hinted_line(message), {}, names)  # the line it names works,
    assert made.data == node.data and made._op == node._op  # and makes the same node


def test_a_label_in_the_childrens_place_says_where_it_goes():
    with pytest.raises(TypeError, match=r"label='a'") as info:
        Value(2.0, "a")
    assert "_children" in str(info.value)
    with pytest.raises(TypeError, match="label must be a str"):
        Value(2.0, label=3)
    with pytest.raises(TypeError, match="micrograd"):
        Value(2.0, (), "frobnicate")


def test_grad_is_settable_as_micrograds_zero_grad_does():
    a = Value(2.0)
    L = a * a
    L.backward()
    assert a.grad == 4.0
    a.grad = 0
    assert a.grad == 0.0
    (a * 3).backward()
    assert a.grad == 3.0


def test_a_sessions_grad_says_what_to_do():
    s = mgrad.Session()
    s.run("a = 2; L = a * a\n:backward L")
    with pytest.raises(mgrad.Error, match=r":backward") as info:
        s["a"].grad = 0
    assert "s.run(':backward L')" in str(info.value)
    s.run(":backward L")  # the line it names works
    assert s["a"].grad == 4.0


def test_parameters_and_zero_grad_of_micrograds_nn():
    n = MLP(2, [3, 1])
    assert len(n.parameters()) == 13 and all(isinstance(p, Value) for p in n.parameters())
    out = n([1.0, -2.0])
    out.backward()
    assert any(p.grad != 0 for p in n.parameters())
    n.zero_grad()
    assert all(p.grad == 0 for p in n.parameters())
    neuron = Neuron(2, nonlin=False)
    assert neuron.parameters() == neuron.w + [neuron.b] and repr(neuron) == "LinearNeuron(2)"
