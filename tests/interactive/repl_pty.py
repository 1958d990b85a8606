#!/usr/bin/env python3
"""Drives the real interactive REPL in a pseudo-terminal, as a user would.

    repl_pty.py PATH/TO/mgrad

Checks: typing a line, tab completion of a name, a function, a command, a file name and a
command's options (from its spec), a
continuation line, a long table shown a screenful at a time with :more, Ctrl-C cancelling the line being typed, typographic operators and pasted
prompts, Ctrl-D at a continuation prompt, recalling history with the up arrow (also from the
previous run, through the history file), colour (and none with NO_COLOR or TERM=dumb), and
Ctrl-D leaving with status 0.
"""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from pty_repl import PtyRepl, fail  # noqa: E402

MGRAD = os.path.abspath(sys.argv[1])
TIMEOUT = 10.0


def Repl(state_dir, rows=24, **extra_env):
    return PtyRepl(MGRAD, state_dir, rows=rows, timeout=TIMEOUT, **extra_env)


def check(condition, message):
    if not condition:
        fail(message)


with tempfile.TemporaryDirectory() as state:
    r = Repl(state)
    r.expect(">>> ", "the first prompt")

    # Typing a line.
    r.send("alpha = 2\r")
    r.expect(">>> ")

    # Tab completes a bound name.
    r.send("al\t")
    r.send(" * 3\r")
    out = r.expect(">>> ")
    check("= 6  (grad 0)" in out, f"completed 'alpha * 3' should print 6, got {out!r}")

    # A continuation line: an open parenthesis asks for more.
    r.send("x = (alpha +\r")
    r.expect("... ", "the continuation prompt")
    r.send("1)\r")
    r.expect(">>> ")
    r.send("x\r")
    out = r.expect(">>> ")
    check("x = 3  (grad 0)" in out, f"x should be 3, got {out!r}")

    # The up arrow recalls the previous line. (libedit redraws the prompt while recalling, so
    # wait for the result itself.)
    r.send("\x1b[A\r")
    r.expect("x = 3  (grad 0)", "the recalled 'x' printing its value")
    r.expect(">>> ")

    # Ctrl-C cancels the line being typed: nothing runs, the session goes on.
    r.send("undefined_thing + ")
    r.send("\x03")
    out = r.expect(">>> ", "a new prompt after Ctrl-C")
    check("error" not in out, f"a cancelled line must not run, got {out!r}")
    check(out.endswith("^C\r\n"), f"Ctrl-C should end its echo with a newline, got {out!r}")
    # Ctrl-C also cancels a half-typed multi-line entry.
    r.send("y = (1 +\r")
    r.expect("... ")
    r.send("\x03")
    r.expect(">>> ", "a new prompt after Ctrl-C at the continuation prompt")
    r.send("y\r")
    out = r.expect(">>> ")
    check("undefined name 'y'" in out, f"the cancelled entry must not bind y, got {out!r}")

    # Tab completes a function with its parenthesis, and a command.
    r.send("tanh\t")
    r.send("0.5)\r")
    r.expect("0.46211715726000974", "tanh(0.5) after completing 'tanh' to 'tanh('")
    r.expect(">>> ")
    r.send(":backw\t")
    r.send("x\r")
    r.expect(">>> ")
    r.send("alpha.grad * 10\r")
    r.expect("\n10\r", "alpha.grad * 10 == 10 after the completed ':backward x'")
    r.expect(">>> ")

    # Tab completes file names after :load (and :save).
    with open(os.path.join(state, "demo_script.mg"), "w") as f:
        f.write("loaded = 7\n")
    r.send(":load demo_s\t")
    r.send("\r")
    r.expect(">>> ")
    r.send("loaded\r")
    r.expect("loaded = 7  (grad 0)", ":load with a completed file name")
    r.expect(">>> ")

    # Tab completes what a command's spec allows there: an option after the file name...
    r.send(":draw alpha tab_test.svg dec\t")
    r.send("1\r")
    out = r.expect(">>> ")
    check("drew alpha to tab_test.svg" in out and os.path.exists(os.path.join(state, "tab_test.svg")),
          f"':draw alpha tab_test.svg dec<Tab>1' should draw with decimals=1, got {out!r}")
    # ...and where only options fit (`:view NAME `), the options and no names: Tab Tab lists.
    r.send(":view alpha \t\t")
    out = r.expect("max-nodes=", "the options listed after ':view alpha '")
    out += r.expect("tb")
    check("loaded" not in out and "pasted" not in out, f"no names after ':view alpha ', got {out!r}")
    r.send("\x03")
    r.expect("^C", "Ctrl-C cancelling the line")
    r.expect(">>> ")

    # Typographic operators typed or pasted (UTF-8 decoded for the line editor).
    r.send("3 \u00d7 4 \u2212 1\r")
    out = r.expect(">>> ")
    check("\n11\r" in out, f"3 × 4 − 1 should print 11, got {out!r}")
    # A line pasted from a transcript, prompt and all.
    r.send(">>> pasted = 4\r")
    r.expect("pasted = 4", "the pasted line's echo")
    r.expect(">>> ")
    r.send("pasted\r")
    out = r.expect(">>> ")
    check("pasted = 4  (grad 0)" in out, f"a pasted '>>> ' line should run, got {out!r}")
    # Ctrl-D at the continuation prompt ends that line before the error is shown.
    r.send("z = (1 +\r")
    r.expect("... ")
    r.send("\x04")
    out = r.expect(">>> ", "a new prompt after Ctrl-D at the continuation prompt")
    check(out.replace("^D", "", 1).startswith("\r\n<repl>:"),
          f"Ctrl-D at '... ' should end the line before the error, got {out!r}")
    line = out.split("<repl>:", 1)[1].split(":", 1)[0]
    check(f"error: expected an expression, found end of input\r\nz = (1 +\r\n" in out,
          f"the error should show the line it names ({line}), got {out!r}")

    # Ctrl-C stops a long :minimize after the current step; the session goes on.
    r.send("w = 3; M = " + " + ".join(["(w - 1)**2"] * 40) + "\r")
    r.expect(">>> ")
    r.send(":minimize M steps=10000000 lr=1e-9\r")
    time.sleep(0.5)
    r.send("\x03")
    out = r.expect(">>> ", "a new prompt after Ctrl-C during :minimize")
    check("interrupted after" in out, f"':minimize' should say it was interrupted, got {out!r}")
    r.send("w.data\r")
    out = r.expect(">>> ")
    value = float(out.split()[-1])
    check(1 < value < 3, f"w should have moved from 3 towards 1 and kept it, got {out!r}")

    # Ctrl-D on an empty line leaves.
    r.send("\x04")
    check(r.wait() == 0, "Ctrl-D should leave with status 0")

    history = os.path.join(state, "mgrad", "history")
    check(os.path.exists(history), f"no history file at {history}")

    # The history persists: a new session recalls the last line of the previous one.
    r = Repl(state)
    r.expect(">>> ")
    r.send("alpha = 5\r")
    r.expect(">>> ")
    r.send("\x1b[A\x1b[A\r")  # up twice: past 'alpha = 5' to the previous run's last line
    # The previous run's last line was `w.data`, and this new session knows no `w`.
    r.expect("undefined name 'w'", "the previous run's last line, recalled")
    r.expect(">>> ")
    r.send("\x04")
    tail = r.expect("\n", "the newline that ends Ctrl-D's echo")
    check(tail in ("^D\r", "\r"), f"Ctrl-D should end its echo with a newline, got {tail!r}")
    check(r.wait() == 0, "Ctrl-D should leave with status 0")

    # Colour on a terminal: errors in red; none with NO_COLOR or TERM=dumb.
    for extra, coloured in (({"NO_COLOR": None}, True), ({}, False),
                            ({"NO_COLOR": None, "TERM": "dumb"}, False)):
        c = Repl(state, **extra)
        c.expect(">>> ")
        c.send("nothing_here\r")
        out = c.expect(">>> ")
        check(("\x1b[31m" in out) == coloured and ("\x1b[" in out) == coloured,
              f"colour should be {'on' if coloured else 'off'} with {extra}, got {out!r}")
        c.send("\x04")
        check(c.wait() == 0, "Ctrl-D should leave with status 0")

    # A table longer than the terminal (14 rows: pages of 10) comes a screenful at a time.
    r = Repl(state, rows=14)
    r.expect(">>> ")
    r.send("; ".join(f"v{i} = {i}" for i in range(25)) + "\r")
    r.expect(">>> ")
    r.send(":grad\r")
    out = r.expect(">>> ", "the first page of :grad")
    check("v9 " in out and "v10 " not in out and "(10 of 25 rows; :more shows the next 10)" in out,
          f"':grad' should show 10 of 25 rows, got {out!r}")
    r.send(":more\r")
    out = r.expect(">>> ", "the second page")
    check("v10 " in out and "v19 " in out and "v20 " not in out, f"page two: {out!r}")
    r.send(":more\r")
    out = r.expect(">>> ", "the last page")
    check("v24 " in out and "rows;" not in out, f"the last page: {out!r}")
    r.send("\x04")
    check(r.wait() == 0, "Ctrl-D should leave with status 0")

print("ok: typing, completion, continuation, Ctrl-C (also during :minimize), UTF-8, pasted "
      "prompts, Ctrl-D, history, colour, paging")

