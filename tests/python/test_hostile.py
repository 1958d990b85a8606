"""The Python package under attack (docs/reliability.md): Drawing.save writes as the C++ side
does (mgrad's atomic writer: no predictable temporary name, regular files only, nothing left
behind), and a Session keeps the session rule — what :save writes replays to the same tape —
for every Python operation, and refuses to run after :quit. The asan preset runs these under
AddressSanitizer."""

import math
import os
import stat
import warnings

import pytest

import mgrad
from mgrad import Session, Value, draw_dot


def drawing():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    return draw_dot(a * b)


# --- Drawing.save ------------------------------------------------------------------------------

def test_save_does_not_follow_a_link_planted_at_a_temporary_name(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    target = tmp_path / "L.svg"
    # The names a writer might use beside its target: the old one, and a few others.
    for name in (f"L.svg.tmp{os.getpid()}", "L.svg.tmp", ".L.svg.tmp", "L.svg~"):
        os.symlink(victim, tmp_path / name)
    path = drawing().save(target)
    assert victim.read_text() == "precious\n"
    assert open(path, "rb").read().endswith(b"</svg>\n")
    assert stat.S_ISREG(os.lstat(target).st_mode)


def test_save_refuses_a_fifo_and_a_device_and_leaves_them(tmp_path):
    fifo = tmp_path / "pipe.svg"
    os.mkfifo(fifo)
    with pytest.raises(mgrad.Error, match="pipe.svg"):
        drawing().save(fifo)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    device = tmp_path / "null.svg"
    try:
        os.mknod(device, stat.S_IFCHR | 0o600, os.makedev(1, 3))  # a copy of /dev/null
    except PermissionError:
        pytest.skip("making a device node needs root")
    with pytest.raises(mgrad.Error, match="null.svg"):
        drawing().save(device)
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert sorted(os.listdir(tmp_path)) == ["null.svg", "pipe.svg"]


def test_save_to_a_directory_is_refused_and_leaves_nothing(tmp_path):
    (tmp_path / "out.svg").mkdir()
    with pytest.raises(mgrad.Error, match="out.svg"):
        drawing().save(tmp_path / "out.svg")
    assert os.listdir(tmp_path) == ["out.svg"] and os.listdir(tmp_path / "out.svg") == []
    with pytest.raises(mgrad.Error, match="no directory"):
        drawing().save(tmp_path / "missing" / "L.svg")
    assert os.listdir(tmp_path) == ["out.svg"]


def test_save_follows_a_link_at_the_target_and_keeps_it_a_link(tmp_path):
    real = tmp_path / "real.svg"
    real.write_text("old")
    os.symlink(real, tmp_path / "link.svg")
    drawing().save(tmp_path / "link.svg")
    assert os.path.islink(tmp_path / "link.svg") and real.read_text().endswith("</svg>\n")
    assert sorted(os.listdir(tmp_path)) == ["link.svg", "real.svg"]


def test_save_takes_bytes_and_odd_names(tmp_path):
    d = drawing()
    name = os.fsencode(str(tmp_path)) + b"/caf\xe9.svg"  # not UTF-8
    assert d.save(name) == name
    assert open(name, "rb").read() == d.data


# --- Session: the session rule for every Python operation -------------------------------------

def replayed(s):
    replay = Session(max_nodes=0)
    replay.run(s.transcript)
    return replay


def same_tape(live, replay):
    """The tapes agree: nodes, and every name's node, data and gradient to the bit."""
    assert live.node_count == replay.node_count
    assert live.names() == replay.names()
    for name in live.names():
        a, b = live[name], replay[name]
        for x, y in ((a.data, b.data), (a.grad, b.grad)):
            assert (math.isnan(x) and math.isnan(y)) or (x == y and math.copysign(1, x) ==
                                                         math.copysign(1, y)), (name, x, y)
        assert a.label == b.label and a.op == b.op and len(a.parents) == len(b.parents)
    # :vars, but where each node was made (the lines differ between the two)
    assert [r[:-1] for r in live.run(":vars").tables[0].rows] == \
        [r[:-1] for r in replay.run(":vars").tables[0].rows]


def test_setting_data_from_python_is_kept_by_save():
    s = Session()
    s.run("a = 2; b = -3\nL = a*b")
    s["a"].data = 7
    assert "a.data = 7\n" in s.transcript and s["L"].data == -21.0
    same_tape(s, replayed(s))


def test_non_finite_numbers_are_kept_by_save():
    s = Session()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (no warning about the 0/0 that writes NaN)
        s["n"] = float("nan")
        s["p"] = float("inf")
        s["m"] = -math.inf
    s.run("a = 1")
    with pytest.warns(RuntimeWarning, match="becomes nan"):
        s["a"].data = math.nan
    assert math.isnan(s["n"].data) and s["p"].data == math.inf and s["m"].data == -math.inf
    same_tape(s, replayed(s))


def test_binding_a_value_is_a_statement_and_unnamed_ones_are_refused():
    s = Session()
    s.run("a = 2; a = a + 1")  # the old a is a#1: no name binds it now
    old = s["a"].parents[0]
    s["b"] = s["a"]
    assert s.transcript.endswith("b = a\n") and s["b"] is s["a"]
    with pytest.raises(mgrad.Error, match=r"not bound to a name.*s\.run\('c = …'\)"):
        s["c"] = old
    with pytest.raises(mgrad.Error, match="not bound to a name"):
        old.data = 5
    with pytest.raises(mgrad.Error, match="not bound to a name"):
        old.backward()
    same_tape(s, replayed(s))


def test_operators_on_a_sessions_values_name_the_statement_instead():
    s = Session()
    s.run("a = 2; b = 3")
    before = s.node_count
    for make, line in [(lambda: s["a"] * 10, "a * 10"), (lambda: 2 - s["b"], "2 - b"),
                       (lambda: s["a"] ** 2, "a ** 2"), (lambda: s["a"].tanh(), "a.tanh()"),
                       (lambda: s["a"] / s["b"], "a / b"), (lambda: abs(s["a"]), "a.abs()"),
                       (lambda: mgrad.nn.mse([s["a"]], [1.0]), None),
                       (lambda: mgrad.nn.SGD([s["a"]]), None)]:
        with pytest.raises(mgrad.Error, match="statements") as info:
            make()
        if line:
            assert f"s.run('y = {line}')" in str(info.value)
            s.run(f"y = {line}")  # the line it names works
    with pytest.raises(mgrad.Error, match="labels"):
        s["a"].label = "z"
    with pytest.raises(mgrad.Error, match="_backward"):
        s["a"]._backward()
    assert s.node_count > before  # only the statements made nodes
    same_tape(s, replayed(s))


def test_backward_from_python_is_kept_by_save():
    s = Session()
    s.run("a = 2; b = -3\nL = a*b")
    s["L"].backward()
    assert s.transcript.endswith(":backward L\n") and s["a"].grad == -3.0
    same_tape(s, replayed(s))


def test_names_cannot_inject_statements_even_through_the_native_half(tmp_path, monkeypatch):
    s = Session()
    s.run("a = 1")
    monkeypatch.chdir(tmp_path)
    for name in ("x\n:save owned.mg", "x; :save owned.mg", "a.data", "", "1x"):
        with pytest.raises(mgrad.Error, match="not a name"):
            s._core.assign(name, 1.0)
        with pytest.raises(mgrad.Error, match="not a name"):
            s._core.bind(name, s["a"])
    assert not os.path.exists("owned.mg")


def test_after_quit_run_raises_and_nothing_runs():
    s = Session()
    s.run("a = 1\n:quit\nb = 2")
    assert s.quit_requested and "b" not in s
    for call in (lambda: s.run("c = 3"), lambda: s.run_file(__file__),
                 lambda: s.__setitem__("c", 3), lambda: s["a"].backward()):
        with pytest.raises(mgrad.Error, match="ended"):
            call()
    assert "c" not in s and s["a"].data == 1.0  # reading goes on
