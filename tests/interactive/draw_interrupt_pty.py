#!/usr/bin/env python3
"""Ctrl-C during a `:draw` whose layout would take minutes, in the real REPL (a pseudo-terminal):
the status line shows after a second, Ctrl-C brings the prompt back at once, nothing is
written (no picture, no temporary file), no layout process is left running, and the session
goes on and draws again.

    draw_interrupt_pty.py PATH/TO/mgrad
"""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from pty_repl import PtyRepl, fail  # noqa: E402

MGRAD = os.path.abspath(sys.argv[1])
TIMEOUT = 60.0


def children_of(pid):
    """Processes whose parent is `pid` (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after it.
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


with tempfile.TemporaryDirectory() as work:
    out_dir = os.path.join(work, "out")
    os.mkdir(out_dir)
    with open(os.path.join(work, "long.mg"), "w") as f:
        # 9,000 values in a chain: the layout of the whole graph takes minutes.
        f.write("x = 0.5\n" + "x = tanh(x*0.9)\n" * 3000)
    # Colour as a user's terminal has it: the status line is drawn on the terminal.
    repl = PtyRepl(MGRAD, work, timeout=TIMEOUT, NO_COLOR=None)
    pid, fd = repl.pid, repl.fd
    expect, send = repl.expect, repl.send

    expect(">>> ")
    send(":load long.mg\r")
    expect(">>> ")
    send(":draw x out/big.svg max-nodes=100000\r")
    shown = expect("(Ctrl-C stops it)")  # the status line, after a second
    if "laying out 9,002 nodes" not in shown:
        fail("the status line does not say what is laid out:", shown.encode())
    if not children_of(pid):
        fail("no layout process is running during the layout")
    start = time.monotonic()
    os.write(fd, b"\x03")
    shown = expect(">>> ")
    latency = time.monotonic() - start
    if "interrupted; nothing was written" not in shown:
        fail("no 'interrupted' after Ctrl-C during :draw; the terminal showed:", shown.encode())
    # 0.5 s is the goal (docs/performance.md measures it); this bound only keeps a loaded CI
    # machine from failing the test.
    if latency > 5.0:
        fail(f"the prompt came back {latency:.2f} s after Ctrl-C")
    if os.listdir(out_dir):
        fail(f"files were written: {os.listdir(out_dir)}")
    time.sleep(0.2)
    if children_of(pid):
        fail(f"a layout process is still running: {children_of(pid)}")
    send(":draw x out/part.svg depth=4\r")
    shown = expect(">>> ")
    if "drew x#3001 to out/part.svg" not in shown:
        fail("the session does not draw after the interrupt:", shown.encode())
    if os.listdir(out_dir) != ["part.svg"]:
        fail(f"unexpected files: {os.listdir(out_dir)}")
    send("\x04")
    status = repl.wait()
    if status != 0:
        fail(f"exit status {status} after Ctrl-D")
print(f"ok: Ctrl-C stops a :draw layout; the prompt came back after {latency:.3f} s, "
      "nothing was written, no process was left, the session draws again")
