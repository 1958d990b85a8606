#!/usr/bin/env python3
"""The view from a real REPL on a pseudo-terminal (libedit), as a user meets it.

    terminal.py PATH/TO/mgrad

Checks: `:view` inside a running REPL starts the view and prints its address; a leaf set from
the page while the user is half-way through typing a line prints the `:set` table above the
prompt and draws the prompt and the typed text again (the line then runs as typed); Ctrl-C
still reaches the REPL; `:view NAME OPTIONS` pins a name with :draw's options; during a long
`:minimize` the page gets frames, at most about ten a second, and its work waits for the
prompt; Ctrl-D leaves with status 0.
"""
import json
import os
import re
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from pty_repl import PtyRepl, fail  # noqa: E402

MGRAD = os.path.abspath(sys.argv[1])
TIMEOUT = 20.0


def check(condition, message):
    if not condition:
        fail(message)


def Repl(state_dir):
    # Colour as a user's terminal has it.
    return PtyRepl(MGRAD, state_dir, timeout=TIMEOUT, NO_COLOR=None)


def request(base, token, path, body=None):
    url = f"{base}{path}{'&' if '?' in path else '?'}token={token}"
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="POST" if data else "GET",
                                 headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def frame(base, token):
    status, text = request(base, token, "/api/frame")
    return json.loads(text) if status == 200 else {}


def wait_frame(base, token, accept, what):
    deadline = time.monotonic() + TIMEOUT
    f = {}
    while time.monotonic() < deadline:
        f = frame(base, token)
        if f and accept(f):
            return f
        time.sleep(0.02)
    fail(f"no frame {what}; the last: {json.dumps(f)[:1500]}")


with tempfile.TemporaryDirectory() as state:
    r = Repl(state)
    r.expect(">>> ", "the first prompt")
    r.send("a = 2; b = -3; L = a*b\r")
    r.expect(">>> ")

    # :view starts the view inside the running REPL.
    r.send(":view\r")
    m = re.search(r"view: (http://127\.0\.0\.1:\d+)/\?token=([0-9a-f]{64})", r.expect(">>> "))
    check(m, "':view' did not print the page's address")
    base, token = m.group(1), m.group(2)
    wait_frame(base, token, lambda f: f.get("name") == "L" and "svg" in f, "of L")

    # Half a line typed; the page sets a leaf meanwhile.
    r.send("c = 4")
    time.sleep(0.2)
    status, _ = request(base, token, "/api/set", {"name": "a", "value": 7})
    check(status == 202, f"POST /api/set answered {status}")
    out = r.expect("a: 2 → 7", "the :set table from the page")
    check("view> :set a 7" in out, f"the terminal did not say where the :set came from: {out!r}")
    table = r.expect(">>> c = 4", "the prompt and the typed text, drawn again")
    check(re.search(r"L\s+-6\s+-21", table), f"the :set table is wrong: {table!r}")
    r.send("\r")
    r.expect(">>> ")
    r.send("c + a\r")
    r.expect("11", "c + a after the redrawn line ran")
    r.expect(">>> ")

    # Ctrl-C still cancels a line while the view runs (the view's threads never take it).
    r.send("undefined_thing + ")
    r.send("\x03")
    out = r.expect(">>> ", "a new prompt after Ctrl-C")
    check("error" not in out, f"a cancelled line ran: {out!r}")

    # :view NAME OPTIONS pins a name with :draw's options; :view again prints the address.
    r.send("M = L * c\r")
    r.expect(">>> ")
    r.send(":view L depth=1\r")
    r.expect(">>> ")
    f = wait_frame(base, token, lambda f: f.get("pinned") == "L" and f["options"]["depth"] == 1,
                   "pinned to L with depth=1")
    check(f["name"] == "L" and not f["follow"], f"the frame shows {f.get('name')}")
    r.send(":view nope\r")
    out = r.expect(">>> ")
    check("error" in out and "nope" in out, f"':view nope' should be an error: {out!r}")
    r.send(":view\r")
    out = r.expect(">>> ")
    check(f"view: {base}/?token={token}" in out, f"':view' again should print the address: {out!r}")
    wait_frame(base, token, lambda f: f.get("follow") and f.get("name") == "M", "following M again")

    # A long :minimize: frames keep coming, throttled; the page's work waits for the prompt.
    r.send("w = 3; W = " + " + ".join(["(w - 1)**2"] * 20) + "\r")
    r.expect(">>> ")
    wait_frame(base, token, lambda f: f.get("name") == "W" and "svg" in f, "of W")
    r.send(":minimize W steps=10000000 lr=1e-9\r")
    time.sleep(0.5)
    first = frame(base, token)["seq"]
    time.sleep(2.0)
    second = frame(base, token)["seq"]
    check(second > first, "no frame came during :minimize")
    check(second - first <= 2 * 11, f"{second - first} frames in 2 s during :minimize: not throttled")
    status, _ = request(base, token, "/api/set", {"name": "a", "value": 1})
    check(status == 202, f"POST /api/set answered {status}")
    time.sleep(0.3)
    r.send("\x03")
    out = r.expect("a: 7 → 1", "the page's :set, once :minimize has stopped")
    check("interrupted after" in out, f"':minimize' should have been interrupted first: {out!r}")
    r.expect(">>> ")

    # Ctrl-D leaves; the view stops with the REPL.
    r.send("\x04")
    check(r.wait() == 0, "Ctrl-D should leave with status 0")
    text = r.transcript.decode(errors="replace")
    for word in ("ThreadSanitizer", "AddressSanitizer", "runtime error"):
        check(word not in text, f"a sanitizer reported a problem:\n{text}")
    try:
        urllib.request.urlopen(f"{base}/?token={token}", timeout=2)
        fail("the view still answers after mgrad left")
    except (urllib.error.URLError, ConnectionError):
        pass

print("view.terminal: ok")
