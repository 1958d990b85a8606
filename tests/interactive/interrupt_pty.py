#!/usr/bin/env python3
"""Ctrl-C during long work in the real REPL (a pseudo-terminal) stops that work, returns to the
prompt and keeps the session.

    interrupt_pty.py PATH/TO/mgrad

A `:load` of a 400 000-statement script is interrupted once it has begun: the REPL says so,
the prompt comes back, the bindings made before the load are intact, the statements run before
the Ctrl-C stay (an error never undoes earlier statements), and the session goes on.
"""
import os
import pty
import re
import select
import sys
import tempfile
import time

MGRAD = os.path.abspath(sys.argv[1])
TIMEOUT = 60.0


def fail(message, screen=b""):
    sys.exit(f"FAIL: {message}\n{screen.decode(errors='replace')}")


with tempfile.TemporaryDirectory() as work:
    with open(os.path.join(work, "long.mg"), "w") as f:
        # Each line parses 24 numbers and makes two nodes: over a CPU-second in all, and
        # 800 000 nodes, under the default cap.
        f.write("n = 0\nn\n" + ("n += " + " * ".join(["1"] * 24) + "\n") * 400_000)
    env = dict(os.environ, TERM="xterm", XDG_STATE_HOME=work, LC_ALL="C.UTF-8", NO_COLOR="1")
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(work)
        os.execve(MGRAD, [MGRAD], env)
    buffer = b""

    def expect(text):
        global buffer
        data = text.encode()
        deadline = time.monotonic() + TIMEOUT
        while data not in buffer:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                fail(f"{text!r} did not appear; the terminal shows:", buffer)
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                fail(f"the REPL ended before {text!r}:", buffer)
            buffer += chunk
        before, _, buffer = buffer.partition(data)
        return before.decode(errors="replace")

    def send(keys):
        os.write(fd, keys.encode())
        time.sleep(0.05)

    expect(">>> ")
    send("a = 42\r")
    expect(">>> ")
    send(":load long.mg\r")
    expect("n = 0  (grad 0)")  # the load has begun: the file is read and running
    os.write(fd, b"\x03")
    shown = expect(">>> ")
    if "interrupted" not in shown:
        fail("no 'interrupted' after Ctrl-C during :load; the terminal showed:", shown.encode())
    send("a\r")
    out = expect(">>> ")
    if "a = 42" not in out:
        fail("the binding made before the load is gone:", out.encode())
    send("n\r")
    out = expect(">>> ")
    match = re.search(r"n(?:#\d+)? = (\d+)  \(grad 0\)", out)
    if not match:
        fail("n is not shown as expected:", out.encode())
    if not int(match.group(1)) < 400_000:
        fail(f"n = {match.group(1)}: the load was not stopped partway", out.encode())
    send("b = a * 2\r")
    expect(">>> ")
    send("b\r")
    out = expect(">>> ")
    if "b = 84" not in out:
        fail("the session does not go on after the interrupt:", out.encode())
    send("\x04")
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        try:
            os.read(fd, 4096)
        except OSError:
            pass
        time.sleep(0.05)
    else:
        fail("the REPL did not exit after Ctrl-D")
    if os.waitstatus_to_exitcode(status) != 0:
        fail(f"exit status {os.waitstatus_to_exitcode(status)} after Ctrl-D")
print("ok: Ctrl-C stops a long :load, the prompt returns, the session is intact")
