"""docs/python.md's table "micrograd, Python and the REPL", read and checked cell by cell:
micrograd's own engine (tests/python/micrograd_engine.py), mgrad.Value, and the REPL's language
through mgrad.Session — whose Values, used from Python, must give the REPL's column too.

Each row of the table is a scenario below, keyed by the row's first cell; a row without a
scenario, or a scenario without a row, fails."""

import os
import re

import pytest

import micrograd_engine
import mgrad

DOC = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "python.md")
HEADING = "### micrograd, Python and the REPL"
SETUP = "a = 2; b = -3; c = 10; f = -2\ne = a*b; d = e + c; L = d*f\n"
NOT_THERE = "—"


def table():
    """{first cell: (micrograd, Python, REPL)} from the document."""
    text = open(DOC, encoding="utf-8").read()
    assert HEADING in text, f"docs/python.md has no section {HEADING!r}"
    rows = {}
    for line in text[text.index(HEADING):].splitlines()[1:]:
        if line.startswith("#"):
            break
        if not line.startswith("| ") or line.startswith("| after "):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        rows[cells[0]] = tuple(c.strip("`") for c in cells[1:4])
    return rows


def lecture(Value):
    a, b, c, f = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
    e = a * b
    d = e + c
    return {"a": a, "b": b, "c": c, "f": f, "e": e, "d": d, "L": d * f}


# --- the scenarios: each gives (what micrograd or Python gives, what the REPL prints) -------------
# A Python scenario takes the Value class (micrograd's or mgrad's); a REPL scenario is the
# statements after SETUP and the expression whose printed value the table shows, or None.

def twice(Value, name):
    v = lecture(Value)
    v["L"].backward()
    v["L"].backward()
    return v[name].grad


def then_d(Value, name):
    v = lecture(Value)
    v["L"].backward()
    v["d"].backward()
    return v[name].grad


def rebuilt(Value, zero):
    v = lecture(Value)
    v["L"].backward()
    if zero:
        for p in (v["a"], v["b"], v["c"], v["f"]):
            p.grad = 0
    L = (v["a"] * v["b"] + v["c"]) * v["f"]
    L.backward()
    return v["a"].grad


def data_then(Value, build_again):
    v = lecture(Value)
    v["a"].data = 5
    if build_again:
        return ((v["a"] * v["b"] + v["c"]) * v["f"]).data
    return v["L"].data


def once(Value):
    v = lecture(Value)
    v["L"].backward()
    return v["a"].grad


def op_of(expression):
    def python(Value):
        v = lecture(Value)
        return eval(expression, {}, {"a": v["a"], "b": v["b"]})._op
    return python, None


SCENARIOS = {
    "`L.backward()`: `a.grad`": (once, (":backward L", "a.grad")),
    "`L.backward()` twice: `a.grad`":
        (lambda V: twice(V, "a"), (":backward L\n:backward L", "a.grad")),
    "`L.backward()` twice: `e.grad`":
        (lambda V: twice(V, "e"), (":backward L\n:backward L", "e.grad")),
    "`L.backward()` twice: `L.grad`":
        (lambda V: twice(V, "L"), (":backward L\n:backward L", "L.grad")),
    "`L.backward()`, then `d.backward()`: `f.grad`":
        (lambda V: then_d(V, "f"), (":backward L\n:backward d", "f.grad")),
    "`L.backward()`, then `d.backward()`: `a.grad`":
        (lambda V: then_d(V, "a"), (":backward L\n:backward d", "a.grad")),
    "`L.backward()`, `L` built again, `L.backward()`: `a.grad`":
        (lambda V: rebuilt(V, False), (":backward L\nL = (a*b + c)*f\n:backward L", "a.grad")),
    "the same with `p.grad = 0` for `a`, `b`, `c`, `f` in between: `a.grad`":
        (lambda V: rebuilt(V, True), None),
    "`a.data = 5`: `L.data`": (lambda V: data_then(V, False), ("a.data = 5", "L.data")),
    "`a.data = 5`, `L` built again: `L.data`":
        (lambda V: data_then(V, True), ("a.data = 5\nL = (a*b + c)*f", "L.data")),
    "`Value(0).grad`": (lambda V: V(0).grad, ("z = 0", "z.grad")),
    "`(a - b)._op`": op_of("a - b"),
    "`(a / b)._op`": op_of("a / b"),
    "`(-a)._op`": op_of("-a"),
    "`(a ** 2)._op`": op_of("a ** 2"),
    "`a.relu()._op`": op_of("a.relu()"),
    "`(a * b)._prev`": (lambda V: sorted(p.data for p in lecture(V)["e"]._prev), None),
}


def repl_prints(statements, expression):
    s = mgrad.Session()
    s.run(SETUP + statements)
    return s.run(expression).results[0].text.strip()


def test_every_row_has_a_scenario_and_every_scenario_a_row():
    rows = table()
    assert set(rows) - set(SCENARIOS) == set(), "rows without a scenario"
    assert set(SCENARIOS) - set(rows) == set(), "scenarios without a row in docs/python.md"


@pytest.mark.parametrize("row", sorted(SCENARIOS))
def test_row(row):
    micrograd_cell, python_cell, repl_cell = table()[row]
    python, repl = SCENARIOS[row]
    assert repr(python(micrograd_engine.Value)) == micrograd_cell, "micrograd"
    assert repr(python(mgrad.Value)) == python_cell, "Python"
    if repl is None:
        assert repl_cell == NOT_THERE, "REPL"
    else:
        assert repl_prints(*repl) == repl_cell, "REPL"


# A Session's Values, used from Python, follow the REPL's rules (they are its statements).

def test_a_sessions_values_backpropagate_by_the_repls_rule():
    s = mgrad.Session()
    s.run(SETUP)
    s["L"].backward()
    s["L"].backward()
    assert s["a"].grad == 6.0 and s["e"].grad == -2.0
    assert s.transcript.endswith(":backward L\n:backward L\n")
    s["d"].backward()
    assert s["f"].grad == 0.0 and s["a"].grad == -3.0


def test_a_sessions_values_take_data_by_the_repls_rule():
    s = mgrad.Session()
    s.run(SETUP)
    s["a"].data = 5
    assert s["L"].data == 10.0  # recomputed, as `a.data = 5` does in the REPL
    assert s.transcript.endswith("a.data = 5\n")


def test_the_python_docstrings_say_these_rules():
    assert "micrograd" in mgrad.Value.backward.__doc__
    assert "Session" in mgrad.Value.backward.__doc__
    data_doc = mgrad.Value.data.__doc__
    assert "keep the numbers they were computed with" in data_doc and "Session" in data_doc
