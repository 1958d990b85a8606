"""Property-based fuzzing of the Jupyter kernel's message handling (src/kernel/mgrad_kernel).

The kernel runs in this process with ipykernel's own request handlers (execute_request,
complete_request, inspect_request, is_complete_request, kernel_info_request,
comm_info_request) and a real jupyter_client Session; its sockets are replaced by streams that
decode every message sent, as a front end would. Hypothesis sends requests whose content fields
hold any JSON value: arbitrary code (the language's tokens, any text, lone surrogates as a JSON
`\\ud800` escape gives them, NUL bytes), cursor positions out of range, negative, inside a
multi-byte character or not integers, and SIGINT at a random moment of a long cell.

The property: every request gets exactly one well-formed reply (Jupyter's message spec: status
ok/error, the fields each reply type has, cursor_start <= cursor_end within the code, output
messages of known types with string fields that serialise as JSON), the kernel never raises out
of a handler (ipykernel would log it and send no reply: the notebook would wait forever), and
the session keeps its state: a name bound before is still bound to its number afterwards.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import tempfile
import threading

import pytest
from hypothesis import assume, example, given, note, settings
from hypothesis import strategies as st
from jupyter_client.session import Session as WireSession

from fuzz_common import EXAMPLES, watchdog

_SCRATCH = tempfile.TemporaryDirectory(prefix="mgrad-fuzz-kernel-")
os.chdir(_SCRATCH.name)
# ipykernel's Kernel looks for Jupyter's directories at import; keep them in the scratch one.
for _name, _sub in (("JUPYTER_DATA_DIR", "data"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                    ("JUPYTER_CONFIG_DIR", "config"), ("IPYTHONDIR", "ipython")):
    os.environ[_name] = os.path.join(_SCRATCH.name, _sub)

from mgrad_kernel.kernel import MgradKernel  # noqa: E402

# --- the kernel in this process ---------------------------------------------------------------


class Stream:
    """A socket that decodes what the kernel sends, as the front end would receive it."""

    def __init__(self, session: WireSession) -> None:
        self.session = session
        self.messages = []

    def send_multipart(self, parts, copy=True, track=False):
        _, parts = self.session.feed_identities(parts)
        msg = self.session.deserialize(parts)
        self.messages.append(msg)


class Harness:
    def __init__(self) -> None:
        self.wire = WireSession(key=b"fuzz")
        self.iopub = Stream(self.wire)
        self.shell = Stream(self.wire)
        self.kernel = MgradKernel(session=self.wire, iopub_socket=self.iopub,
                                  log=logging.getLogger("mgrad-fuzz-kernel"))
        self.count = 0

    def request(self, msg_type: str, content: dict):
        """Runs one shell request as ipykernel's dispatch_shell does; (reply or None, the
        iopub messages of the request)."""
        self.count += 1
        if msg_type == "execute_request":
            # An error would otherwise abort the queue (ipykernel's, not the kernel's, code).
            content = {**content, "stop_on_error": False}
        parent = self.wire.msg(msg_type, content=content)
        self.iopub.messages.clear()
        self.shell.messages.clear()
        self.kernel.set_parent([b"fuzz"], parent, channel="shell")
        handler = self.kernel.shell_handlers.get(msg_type)
        if handler is None:
            return None, []
        self.kernel.pre_handler_hook()  # SIGINT raises KeyboardInterrupt, as in a real kernel
        try:
            result = handler(self.shell, [b"fuzz"], parent)
            if asyncio.iscoroutine(result):
                asyncio.run(result)
        finally:
            self.kernel.post_handler_hook()
        replies = [m for m in self.shell.messages
                   if m["parent_header"].get("msg_id") == parent["header"]["msg_id"]]
        assert len(replies) == 1, f"{msg_type}: {len(replies)} replies"
        reply = replies[0]
        assert reply["msg_type"] == msg_type.replace("_request", "_reply")
        json.dumps(reply["content"], allow_nan=False)  # what the wire's JSON must carry
        return reply["content"], list(self.iopub.messages)


KEEP = 41.5  # bound to `keep` before every example; it must survive


@pytest.fixture(scope="module")
def harness():
    h = Harness()
    reply, _ = h.request("execute_request", {"code": f"keep = {KEEP}\na = 2; L = tanh(a) * a",
                                             "silent": False})
    assert reply["status"] == "ok"
    return h


def check_state(h: Harness, code) -> None:
    """`keep` is still bound to its number, unless the code could change it."""
    if isinstance(code, str) and any(w in code for w in ("keep", ":reset", ":quit", ":load")):
        h.request("execute_request", {"code": f"keep = {KEEP}", "silent": True})
        return
    assert h.kernel.mgrad_session["keep"].data == KEEP


def check_output(messages) -> None:
    for m in messages:
        t, c = m["msg_type"], m["content"]
        json.dumps(c, allow_nan=False)
        if t == "status":
            assert c["execution_state"] in ("busy", "idle", "starting")
        elif t == "execute_input":
            pass  # ipykernel's echo of the request
        elif t == "stream":
            assert c["name"] in ("stdout", "stderr") and isinstance(c["text"], str)
        elif t in ("execute_result", "display_data"):
            assert isinstance(c["data"], dict) and c["data"]
            assert all(isinstance(v, str) for v in c["data"].values())
            assert isinstance(c["metadata"], dict)
        elif t == "error":
            check_error_fields(c)
        else:
            raise AssertionError(f"unexpected iopub message {t}")


def check_error_fields(c: dict) -> None:
    assert isinstance(c["ename"], str) and isinstance(c["evalue"], str)
    assert isinstance(c["traceback"], list) and all(isinstance(x, str) for x in c["traceback"])


# --- strategies -------------------------------------------------------------------------------

json_atoms = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                       st.text(max_size=20), st.sampled_from(["\ud800", "\x00", "é"]))
json_values = st.recursive(json_atoms, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)),
    max_leaves=6)
TOKENS = ["a", "L", "keep2", "x", "=", "+", "*", "/", "(", ")", ";", "\n", " ", "2", "-3",
          "1e308", "nan", "tanh(", "grad(", ":backward", ":grad", ":vars", ":tree", ":help",
          ":draw", ":draw L", " shade", " max-nodes=", " decimals=", ":save s.mg", ":plot",
          " x=-1..1", ":trace L", " frames", ":minimize", " steps=", " lr=", ":set", ":step",
          ":load s.mg", ":export torch t.py", ".grad", ".data", '"', "#", "\\", "é", "日本",
          "\ud800", "\x00", "\r", "\t"]
codes = st.one_of(st.lists(st.sampled_from(TOKENS), max_size=20).map("".join),
                  st.text(max_size=40))
cursors = st.one_of(st.integers(-5, 50), st.none(), st.integers(), st.floats(), st.text(max_size=3),
                    st.booleans())


def safe(code) -> bool:
    """No command may name a file outside the scratch directory."""
    return not (isinstance(code, str) and ":" in code and ("/" in code or "~" in code))


# --- properties -------------------------------------------------------------------------------

@given(st.one_of(codes, json_values), st.one_of(st.booleans(), json_values))
@example(":help draw\n:draw L\n:draw L format=png", False)
@example("a = 2\n\ud800", False)
@example("a = \ud800", False)
@example(None, False)
@example(12, False)
@example(":quit", False)
@example("x = 1; y = x/0; :backward y", True)
def test_execute(harness, code, silent):
    assume(safe(code))
    note(f"code={code!r}")
    with watchdog():
        reply, messages = harness.request("execute_request", {"code": code, "silent": silent})
    assert reply["status"] in ("ok", "error")
    assert isinstance(reply["execution_count"], int)
    if reply["status"] == "error":
        check_error_fields(reply)
    else:
        assert reply["payload"] == [] and reply["user_expressions"] == {}
    check_output(messages)
    if not silent and isinstance(code, str):
        assert any(m["msg_type"] == "execute_input" for m in messages)
        errors = [m for m in messages if m["msg_type"] == "error"]
        assert (reply["status"] == "error") == bool(errors), (reply, errors)
    check_state(harness, code)


@given(st.one_of(codes, json_values), cursors)
@example(":load ", 6)
@example(":load a\x00b", 8)
@example("x = é", 100)
@example("日本", -1)
@example("a.gr", 2**70)
@example(":draw L sh", 1.5)
@example("a", None)
@example(":backward\ud800", None)
@example(":draw L \ud800", None)
def test_complete(harness, code, cursor):
    with watchdog():
        reply, _ = harness.request("complete_request", {"code": code, "cursor_pos": cursor})
    assert reply["status"] in ("ok", "error")
    if reply["status"] == "error":
        check_error_fields(reply)
        assert not (isinstance(code, str) and (type(cursor) is int or cursor is None)), reply
        return
    assert isinstance(reply["matches"], list) and all(isinstance(m, str) for m in reply["matches"])
    start, end = reply["cursor_start"], reply["cursor_end"]
    assert isinstance(start, int) and isinstance(end, int)
    assert 0 <= start <= end <= len(code), (start, end, len(code))
    for t in reply["metadata"]["_jupyter_types_experimental"]:
        assert t["start"] == start and t["end"] == end and isinstance(t["text"], str)
    check_state(harness, None)


@given(st.one_of(codes, json_values), cursors, st.one_of(st.integers(0, 1), json_values))
@example("L", 1, 0)
@example("a.grad", 50, 0)
@example("a\n:draw L shade", 14, 1)
@example(":help", -3, 0)
@example("keep", 4, "x")
@example(":help\ud800", None, 0)
@example(":help :dr\ud800", None, 0)
def test_inspect(harness, code, cursor, detail):
    with watchdog():
        reply, _ = harness.request("inspect_request", {"code": code, "cursor_pos": cursor,
                                                       "detail_level": detail})
    assert reply["status"] in ("ok", "error")
    if reply["status"] == "error":
        check_error_fields(reply)
        assert not (isinstance(code, str) and (type(cursor) is int or cursor is None)), reply
        return
    assert isinstance(reply["found"], bool) and isinstance(reply["data"], dict)
    assert reply["found"] == bool(reply["data"])
    assert all(isinstance(v, str) for v in reply["data"].values())
    check_state(harness, None)


@given(st.one_of(codes, json_values))
@example("L = (a +")
@example("\ud800")
@example(None)
def test_is_complete(harness, code):
    with watchdog():
        reply, _ = harness.request("is_complete_request", {"code": code})
    assert reply["status"] in ("complete", "incomplete", "invalid", "unknown")
    if reply["status"] == "incomplete":
        assert isinstance(reply["indent"], str)


@given(st.sampled_from(["kernel_info_request", "comm_info_request", "comm_open", "comm_msg",
                        "comm_close", "no_such_request"]),
       st.dictionaries(st.sampled_from(["target_name", "comm_id", "data", "code"]), json_values,
                       max_size=3))
def test_other_requests(harness, msg_type, content):
    with watchdog():
        reply, _ = harness.request(msg_type, content)
    if msg_type == "kernel_info_request":
        assert reply["status"] == "ok" and reply["language_info"]["name"] == "mgrad"
    elif msg_type == "comm_info_request":
        assert reply["status"] == "ok" and reply["comms"] == {}
    else:
        assert reply is None  # no handler: ipykernel logs it and the kernel goes on
    check_state(harness, None)


# Each example waits for its interrupt and replays the session: a tenth as many examples.
@settings(max_examples=max(5, EXAMPLES // 10))
@given(st.floats(0.05, 0.5))
def test_interrupt(harness, delay):
    """SIGINT during a long cell, as the notebook's stop button sends it: an error reply named
    KeyboardInterrupt, and the session goes on."""
    timer = threading.Timer(delay, os.kill, (os.getpid(), signal.SIGINT))
    # The delay counts from the moment the session's run begins: counted from the request, a
    # loaded machine could deliver the signal inside ipykernel's own request handling, before
    # do_execute, where the interrupt is ipykernel's to handle, not the kernel's.
    session = harness.kernel.mgrad_session
    run = session.run

    def run_then_interrupt(*args, **kwargs):
        timer.start()
        return run(*args, **kwargs)

    session.run = run_then_interrupt
    try:
        with watchdog():
            reply, messages = harness.request("execute_request", {
                "code": "x = 3; M = (x - 1)**2\n:minimize M steps=10000000 lr=0.000001",
                "silent": False})
    finally:
        del session.run
        timer.cancel()
        if timer.ident is not None:  # started (by the run); joining one never started raises
            timer.join()
    check_output(messages)
    assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt", reply
    check_state(harness, None)
    reply, _ = harness.request("execute_request", {"code": "after = keep + 1", "silent": False})
    assert reply["status"] == "ok"


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
