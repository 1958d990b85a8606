#!/usr/bin/env python3
"""The view without a REPL: `mgrad --view script.mg`, a script on standard input, --view-port,
--open, and `:view` in a script.

    serve.py PATH/TO/mgrad

After its scripts, mgrad keeps serving the page (running what the page posts) until Ctrl-C
(SIGINT) or SIGTERM, then exits with the scripts' status. --open runs xdg-open with a private file that
leads to the address, keeping the token out of command lines (a stand-in on PATH records it). --view-port picks the port; a port in use is an error.
"""
import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Mgrad, check, fail  # noqa: E402

MGRAD = os.path.abspath(sys.argv[1])
LECTURE = "a = 2; b = -3; c = 10; f = -2\ne = a*b; d = e + c; L = d * f\n:backward L\n"


def interrupt(m, expect_status):
    m.wait_err("still serving the page")
    m.proc.send_signal(signal.SIGINT)
    m.finish(expect_status=expect_status, close_stdin=False)


with tempfile.TemporaryDirectory() as work:
    script = os.path.join(work, "lecture.mg")
    with open(script, "w") as f:
        f.write(LECTURE)

    # A script with --view --open: the page is served after the script; xdg-open got the URL.
    bin_dir = os.path.join(work, "bin")
    os.mkdir(bin_dir)
    opened = os.path.join(work, "opened.txt")
    opener = os.path.join(bin_dir, "xdg-open")
    page = os.path.join(work, "page.html")
    with open(opener, "w") as f:
        # Records its arguments, and the page it is given with its modes (before mgrad ends).
        f.write(f"#!/bin/sh\nf=\"${{1#file://}}\"\ncp \"$f\" '{page}'\n"
                f"stat -c '%a' \"$f\" \"$(dirname \"$f\")\" >> '{page}'\n"
                f"printf '%s\\n' \"$@\" > '{opened}.part'\nmv '{opened}.part' '{opened}'\n")
    os.chmod(opener, os.stat(opener).st_mode | stat.S_IEXEC)
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"])
    m = Mgrad(MGRAD, ["--view", "--open", script], cwd=work, env=env, stdin=subprocess.DEVNULL)
    m.wait_err("still serving the page")
    frame = m.wait_frame(lambda f: f.get("name") == "L" and "svg" in f, "of L")
    check("grad 6.0000" in frame["svg"], "the served picture lacks grad 6.0000")
    deadline = time.monotonic() + 10
    while not os.path.exists(opened) and time.monotonic() < deadline:
        time.sleep(0.05)
    check(os.path.exists(opened), "--open did not run xdg-open")
    # The token stays out of every command line (any user can read those): xdg-open gets a
    # file only this user can read, which sends the browser on to the address.
    with open(opened) as f:
        args = f.read().split("\n")[:-1]
    check(len(args) == 1 and args[0].startswith("file:///") and m.token not in args[0],
          f"xdg-open got {args!r}, not a file without the token")
    with open(page) as f:
        html = f.read()
    check(f'content="0;url={m.url}"' in html, f"the page does not send the browser on: {html}")
    check(html.split()[-2:] == ["600", "700"], f"the page or its directory is not private: {html}")
    redirect = args[0][len("file://"):]
    # The page's work still runs while serving: the table goes to standard output.
    status, _ = m.request("/api/set", {"name": "a", "value": 3})
    check(status == 202, f"POST /api/set answered {status}")
    m.read_until("a: 2 → 3")
    m.wait_frame(lambda f: any(n["name"] == "a" and n["data"] == "3" for n in f.get("nodes", {}).values()),
                 "with a = 3")
    interrupt(m, 0)
    check(not os.path.exists(redirect) and not os.path.exists(os.path.dirname(redirect)),
          "the page with the token outlived the view")

    # A failing script: served all the same, and the status says it failed.
    bad = os.path.join(work, "bad.mg")
    with open(bad, "w") as f:
        f.write("a = 2\nb = nope * 2\n")
    m = Mgrad(MGRAD, ["--view", bad], cwd=work, stdin=subprocess.DEVNULL)
    interrupt(m, 1)

    # A script on standard input (a pipe): served after its end; SIGTERM ends it too.
    m = Mgrad(MGRAD, ["--view"], cwd=work)
    m.send(LECTURE)
    m.proc.stdin.close()
    m.wait_err("still serving the page")
    m.wait_frame(lambda f: f.get("name") == "L", "of L from standard input")
    m.proc.send_signal(signal.SIGTERM)
    m.finish(expect_status=0, close_stdin=False)

    # :view in a script starts the view, and the script's end serves it.
    viewing = os.path.join(work, "viewing.mg")
    with open(viewing, "w") as f:
        f.write(LECTURE + ":view e depth=1\n")
    m = Mgrad(MGRAD, [viewing], cwd=work, stdin=subprocess.DEVNULL)
    m.wait_frame(lambda f: f.get("pinned") == "e" and f["options"]["depth"] == 1, "pinned to e")
    interrupt(m, 0)

    # --view-port: that port, and a clear error when it is taken.
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    m = Mgrad(MGRAD, ["--view", "--view-port", str(port), script], cwd=work, stdin=subprocess.DEVNULL)
    check(m.port == port, f"--view-port {port} gave port {m.port}")
    taken = subprocess.run([MGRAD, "--view", "--view-port", str(port), "-c", "1"], cwd=work,
                           capture_output=True, text=True, timeout=20, stdin=subprocess.DEVNULL)
    check(taken.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in taken.stderr,
          f"a port in use: status {taken.returncode}, stderr {taken.stderr!r}")
    interrupt(m, 0)

    # --view-port and --open need --view.
    usage = subprocess.run([MGRAD, "--view-port", "0", "-c", "1"], capture_output=True, text=True,
                           timeout=20)
    check(usage.returncode == 2 and "--view" in usage.stderr, f"--view-port alone: {usage.stderr!r}")

print("view.serve: ok")
