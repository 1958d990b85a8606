"""mgrad.Session: the language from Python, its output as objects a notebook kernel can map to
its messages, names as Values, completion and help, errors and interruption."""

import os
import re
import signal
import threading
import time

import pytest

import mgrad
from mgrad import Session

LECTURE = """a = 2; b = -3; c = 10; f = -2
L = (a*b + c) * f
:backward L
"""


def test_results_tables_text_and_files(tmp_path):
    s = Session()
    picture = tmp_path / "L.svg"
    r = s.run(LECTURE + f":grad L\nL\n2 * 3\n:draw L {picture}\n:help grad")
    assert r.ok and not r.interrupted
    kinds = [type(e).__name__ for e in r.events]
    assert kinds == ["Table", "Result", "Result", "Text", "FileWritten", "Text"]
    table = r.tables[0]
    assert table.header == ["node", "data", "grad"]
    assert table.rows[1:] == [["a", "2", "6"], ["b", "-3", "-4"], ["c", "10", "-2"],
                              ["f", "-2", "4"], ["L", "-8", "1"]]
    assert table.align == "lrr"
    assert "<th" in table._repr_html_() and ">-8</td>" in table._repr_html_()
    node, number = r.results
    assert (node.label, node.data, node.grad, node.text) == ("L", -8.0, 1.0, "L = -8  (grad 1)\n")
    assert (number.label, number.data, number.grad, number.expression) == (None, 6.0, None, "2 * 3")
    assert r.files[0].path == str(picture) and r.files[0].format == "svg"
    assert r.files[0].is_picture and picture.read_text().endswith("</svg>\n")
    assert r.stdout.startswith("node  data  grad\n") and ":grad [NAME]" in r.stdout
    assert r.stderr == ""


def test_names_are_values_on_the_sessions_graph():
    s = Session()
    s.run(LECTURE)
    L = s["L"]
    assert (L.data, L.grad, L.label) == (-8.0, 1.0, "L")
    assert s["a"].grad == 6.0 and s["a"] is s["a"]
    assert "L" in s and "nope" not in s and list(s) == ["a", "b", "c", "f", "L"] and len(s) == 5
    with pytest.raises(KeyError, match="did you mean 'L'"):
        s["Lx"]
    assert s.get("Lx") is None
    # Python operations on the session's Values are its statements (tests/python/test_hostile.py).
    with pytest.raises(mgrad.Error, match=r"s\.run\('y = a \* 10'\)"):
        s["y"] = s["a"] * 10
    s.run("y = a * 10")
    s["w"] = s["y"]
    assert s.run("w").results[0].data == 20.0
    s["z"] = 0.25
    assert s.run("z * 4").results[0].data == 1.0
    assert "z = 0.25" in s.transcript and "w = y" in s.transcript
    # Setting data on a session's graph is `a.data = 3`: what depends on it is recomputed.
    s["a"].data = 3
    assert L.data == ((3 * -3) + 10) * -2 and "a.data = 3" in s.transcript
    with pytest.raises(mgrad.Error):
        s["L"] * mgrad.Value(2.0)  # two graphs do not mix
    with pytest.raises(mgrad.Error):
        s["2x"] = s["a"]


def test_diagnostics_carry_their_span():
    s = Session()
    s.run("a = 2")
    with pytest.raises(mgrad.Error) as info:
        s.run("b = 3\nL = (ab + 1) * b", source="<cell 4>", first_line=10)
    e = info.value
    assert isinstance(e, ValueError)
    assert e.message == "undefined name 'ab'; did you mean 'a'?"
    assert (e.span.line, e.span.column, e.span.length) == (11, 6, 2)
    assert e.source == "<cell 4>"
    assert e.formatted.splitlines() == ["<cell 4>:11:6: error: undefined name 'ab'; did you mean 'a'?",
                                        "L = (ab + 1) * b", "     ^~"]
    assert e.result.ok is False and "b" in s  # the statement before the error ran

    r = s.run("x = 1 +\n:nope\ny = 2", check=False)
    assert not r.ok and len(r.errors) == 1 and r.errors[0].line == 2
    s.keep_going = True
    r = s.run("1/0\nq = )\n:grad nope\nw = 5", check=False)
    assert [d.line for d in r.errors] == [2, 3] and "w" in s
    warn = s.run("u = log(-1)", check=False)
    assert warn.ok and warn.diagnostics[0].severity == "warning"


def test_completion_help_and_commands():
    s = Session()
    s.run("alpha = 1; beta = 2")
    assert s.completions("al") == ["alpha"]
    assert ":draw" in s.completions(":d") and ":minimize" in s.completions(":m")
    assert "tanh" in s.completions("ta")
    assert s.help("draw").startswith(":draw NAME [FILE] [OPTIONS]")
    assert "Commands:" in s.help()
    assert "error: no help on 'nosuchthing'" in s.help("nosuchthing")
    # Whether there is help, as data: the notebook's inspection no longer reads ": error: ".
    with pytest.raises(mgrad.Error, match="no help on 'nosuchthing'"):
        s.help("nosuchthing", check=True)
    assert s.help("draw", check=True) == s.help("draw")
    names = {c.name for c in s.commands()}
    assert {"grad", "draw", "minimize", "help"} <= names
    assert "grad" in s.functions() and "tanh" in s.functions()


def _spec_words(s, spec, after_required):
    """What a command's spec allows as the next word, derived here from the JSON description
    alone: after the command, or after a word for each argument it requires."""
    words = set()
    args = spec["args"]
    given_options = set()
    # The arguments still to come: all of them, or those not required (an argument an option
    # may stand for, such as :step's lr, is required and still to come).
    if after_required:
        pending = [a for a in args if a["optional"] or "option" in a]
    else:
        pending = list(args)
    for o in spec["options"]:
        if not o["listed"] or o["key"] in given_options:
            continue
        standing_for = [a for a in args if a.get("option") == o["key"]]
        if standing_for and standing_for[0] not in pending:
            continue
        if o["kind"] == "flag":
            words.add(o["key"])
        else:
            words.add(o["key"] + "=")
    nxt = pending[0] if pending else None
    if nxt is not None:
        kind = nxt["kind"]
        if kind in ("node", "expression"):
            words |= set(s.names())
        if kind == "leaf":
            words |= {n for n in s.names() if s[n].op == "leaf"}
        if kind == "expression":
            words |= set(s.functions())
        if kind == "choice":
            words |= set(nxt["choices"])
        if kind == "directory":
            words |= set(nxt["choices"]) | {"sub/"}
        if kind == "file":
            exts = nxt["extensions"]
            words |= {f for f in ("net.json", "pic.png", "notes.txt")
                      if not exts or f.rsplit(".", 1)[1] in exts} | {"sub/"}
        if kind == "topic":
            words |= {c["name"] for c in s.command_specs()} | set(s.functions())
            words |= {"syntax", "train"}
    return words


def _sample(arg):
    return {"node": "L", "leaf": "a", "number": "0.5", "whole": str(int(arg.get("low") or 0)),
            "choice": (arg.get("choices") or ["x"])[0], "file": "out.txt", "directory": "d",
            "topic": "draw", "expression": "x", "range": "x=0..1"}[arg["kind"]]


def test_completion_follows_the_command_specs(tmp_path, monkeypatch):
    # Every command, after its name and after its required arguments: Session.complete (what
    # the REPL and the notebook offer) is exactly what the spec allows there.
    monkeypatch.chdir(tmp_path)
    for f in ("net.json", "pic.png", "notes.txt"):
        (tmp_path / f).write_text("")
    (tmp_path / "sub").mkdir()
    s = Session()
    s.run("a = 2; b = -3; L = a*b")
    for spec in s.command_specs():
        for after_required in (False, True):
            line = ":" + spec["name"]
            if after_required:
                for arg in spec["args"]:
                    if not arg["optional"] and "option" not in arg:
                        line += " " + _sample(arg)
            got = {c.text for c in s.complete(line + " ").candidates}
            assert got == _spec_words(s, spec, after_required), line
    # No word of a help text: the notebook once offered "them" and "stronger" after :draw L.
    assert not {"them", "stronger"} & {c.text for c in s.complete(":draw L ").candidates}


def test_errors_about_arguments_carry_their_parts():
    s = Session()
    s.run("a = 2; L = a*a")
    r = s.run(":draw L depth=x", check=False)
    assert r.errors[0].detail == {"argument": "depth",
                                  "expected": "a whole number from 0 to 1000000000",
                                  "suggestions": [], "fixes": []}
    r = s.run(":draw L x.svg max-nodes=1", check=False)
    fixes = r.errors[0].detail["fixes"]
    assert fixes[0].startswith("depth=") and fixes[-1] == "max-nodes=2"
    assert s.run("a", check=False).diagnostics == []


def test_diagnostics_come_coloured_as_the_repl_prints_them():
    # What the notebook shows: the colours come with the diagnostic, none is read out of text.
    s = Session()
    s.run("a = 2")
    for line in ("a * q", ":tree a 0", ":draw a x.bmp"):
        (d,) = s.run(line, check=False).errors
        assert d.styled != d.text and re.sub(r"\x1b\[[0-9;]*m", "", d.styled) == d.text
        lines = d.styled.split("\n")
        assert lines[0].startswith("\x1b[1m<python>:1:") and "\x1b[31merror:\x1b[0m" in lines[0]
        assert "\x1b[32m^" in lines[2]  # the caret, green


def test_reset_makes_old_values_stale_without_crashing():
    s = Session()
    s.run(LECTURE)
    L, a = s["L"], s["a"]
    s.reset()
    for use in (lambda: L.data, lambda: L.grad, lambda: L * 2, lambda: a + L, lambda: L.backward(),
                lambda: L.parents, lambda: mgrad.draw_dot(L), lambda: L.relu()):
        with pytest.raises(mgrad.Error, match="stale"):
            use()
    assert "stale" in repr(L)
    s.run("a = 5")  # a new node where the old ones were
    with pytest.raises(mgrad.Error):
        a.data
    assert s["a"].data == 5.0
    s.run(":reset")  # the command does the same
    with pytest.raises(KeyError):
        s["a"]
    del L, a  # freeing stale Values is fine too


def test_session_outlives_its_python_object_while_values_remain():
    s = Session()
    s.run(LECTURE)
    L = s["L"]
    del s
    assert L.data == -8.0 and L.parents[0].data == 4.0


def slow_minimize(s):
    # A sum of 2000 terms: each step replays and backpropagates through 8000 nodes.
    s.run("x = 3\nS = 0\n" + "\n".join(f"S = S + (x - {i % 7})**2" for i in range(2000)))
    return ":minimize S steps=10000000 lr=0.0000001"


def test_ctrl_c_stops_a_long_minimize_and_the_session_goes_on():
    s = Session()
    command = slow_minimize(s)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    started = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt) as info:
        s.run(command)
    assert time.monotonic() - started < 10
    r = info.value.result
    assert r.interrupted
    assert any("interrupted after" in d.message for d in r.errors)
    assert s.run("x").results[0].data < 3  # the leaves keep the values reached
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # Python's again
    with pytest.raises(KeyboardInterrupt):  # and Ctrl-C outside a run is Python's as before
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(1)


def test_interrupt_from_another_thread_and_check_false():
    s = Session()
    command = slow_minimize(s)
    seen = []

    def meanwhile():
        time.sleep(0.3)
        with pytest.raises(mgrad.Error, match="running"):  # the graph is busy, not corrupted
            s["x"].data
        seen.append(True)
        s.interrupt()

    t = threading.Thread(target=meanwhile)
    t.start()
    r = s.run(command, check=False)
    t.join()
    assert seen == [True]
    assert r.interrupted and not r.ok
    assert s.run("2 + 2").results[0].data == 4.0


def test_run_file_and_quit(tmp_path):
    script = tmp_path / "s.mg"
    script.write_text(LECTURE + "L\n:quit\nnever = 1\n")
    s = Session()
    r = s.run_file(script)
    assert r.results[0].data == -8.0
    assert s.quit_requested and "never" not in s
    with pytest.raises(mgrad.Error, match="cannot"):
        Session().run_file(tmp_path / "missing.mg")


def test_node_cap():
    s = Session(max_nodes=10)
    with pytest.raises(mgrad.Error, match="node"):
        s.run("a = 1\n" + "a = a * 2 + 1\n" * 10)
    assert s.node_count <= 10


def test_scripts_write_only_inside_the_current_directory(tmp_path, monkeypatch):
    """What the program runs is its own and writes anywhere; a script (run_file, :load,
    run(script=True), as the Jupyter kernel runs a cell) only inside the current directory and
    allow_write (docs/reliability.md, "Lesson files")."""
    lesson = tmp_path / "lesson"
    out = tmp_path / "out"
    lesson.mkdir()
    out.mkdir()
    monkeypatch.chdir(lesson)
    (lesson / "lesson.mg").write_text(f'a = 2\n:save "{out}/x.mg"\n')
    s = Session()
    r = s.run_file("lesson.mg", check=False)
    assert not r.ok and "a script may write only inside" in r.errors[0].message
    r = s.run(":load lesson.mg", check=False)
    assert not r.ok
    r = s.run(f':save "{out}/y.mg"', script=True, check=False)
    assert not r.ok
    assert list(out.iterdir()) == []
    s.run(f':save "{out}/own.mg"')  # the program's own text
    assert (out / "own.mg").exists()
    allowed = Session(allow_write=[str(out)])
    allowed.run_file("lesson.mg")
    assert (out / "x.mg").exists()
