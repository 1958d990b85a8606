#!/usr/bin/env python3
"""Ctrl-C during long work in the real REPL (a pseudo-terminal) stops that work, returns to the
prompt and keeps the session.

    interrupt_pty.py PATH/TO/mgrad

A `:load` of a 400 000-statement script is interrupted once it has begun: the REPL says so,
the prompt comes back, the bindings made before the load are intact, the statements run before
the Ctrl-C stay (an error never undoes earlier statements), and the session goes on.

Then `mgrad -i long.mg`: Ctrl-C while the script runs stops the script, not the process; the
REPL starts with everything the script bound before the interrupt.
"""
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from pty_repl import PtyRepl, fail  # noqa: E402

MGRAD = os.path.abspath(sys.argv[1])
TIMEOUT = 60.0


class Repl(PtyRepl):
    """mgrad in a pseudo-terminal, started in `work` with `args`."""

    def __init__(self, work, args):
        super().__init__(MGRAD, work, args, timeout=TIMEOUT)

    def check_value(self, name, expected):
        self.send(f"{name}\r")
        out = self.expect(">>> ")
        if f"{name} = {expected}" not in out:
            fail(f"{name} should be {expected}:", out.encode())

    def check_stopped_partway(self):
        """n was counted up by the long script, and not to its end."""
        self.send("n\r")
        out = self.expect(">>> ")
        match = re.search(r"n(?:#\d+)? = (\d+)  \(grad 0\)", out)
        if not match:
            fail("n is not shown as expected:", out.encode())
        if not int(match.group(1)) < 400_000:
            fail(f"n = {match.group(1)}: the script was not stopped partway", out.encode())

    def quit(self):
        """Ctrl-D; returns the exit status."""
        self.send("\x04")
        return self.wait()


with tempfile.TemporaryDirectory() as work:
    # Each line parses 24 numbers and makes two nodes: over a CPU-second in all, and 800 000
    # nodes, under the default cap.
    long_script = "n = 0\nn\n" + ("n += " + " * ".join(["1"] * 24) + "\n") * 400_000
    with open(os.path.join(work, "long.mg"), "w") as f:
        f.write(long_script)
    with open(os.path.join(work, "script.mg"), "w") as f:
        f.write("a = 42\n" + long_script)

    # 1. Ctrl-C during a :load typed at the prompt.
    r = Repl(work, [])
    r.expect(">>> ")
    r.send("a = 42\r")
    r.expect(">>> ")
    r.send(":load long.mg\r")
    r.expect("n = 0  (grad 0)")  # the load has begun: the file is read and running
    os.write(r.fd, b"\x03")
    shown = r.expect(">>> ")
    if "interrupted" not in shown:
        fail("no 'interrupted' after Ctrl-C during :load; the terminal showed:", shown.encode())
    r.check_value("a", "42")
    r.check_stopped_partway()
    r.send("b = a * 2\r")
    r.expect(">>> ")
    r.check_value("b", "84")
    status = r.quit()
    if status != 0:
        fail(f"exit status {status} after Ctrl-D")

    # 2. Ctrl-C while `mgrad -i script.mg` runs its script: the REPL starts with the bindings.
    r = Repl(work, ["-i", "script.mg"])
    r.expect("n = 0  (grad 0)")
    os.write(r.fd, b"\x03")
    shown = r.expect(">>> ")
    if "interrupted" not in shown:
        fail("no 'interrupted' after Ctrl-C during mgrad -i's script:", shown.encode())
    r.check_value("a", "42")
    r.check_stopped_partway()
    r.send("b = a * 2\r")
    r.expect(">>> ")
    r.check_value("b", "84")
    r.quit()

print("ok: Ctrl-C stops a long :load and mgrad -i's script; the prompt returns, the session is "
      "intact")
