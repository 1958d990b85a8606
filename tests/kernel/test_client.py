"""The kernel through jupyter_client, as a notebook's front end talks to it: completion and
inspection replies, is_complete, interrupt during :minimize, restart."""

import re
import time

import pytest
from jupyter_client.manager import start_new_kernel

from kernel_env import KernelEnv

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def kernel():
    env = KernelEnv()
    km, kc = start_new_kernel(kernel_name="mgrad", cwd=env.notebook_dir, startup_timeout=60)
    run(kc, "a = 2; b = -3; c = 10; f = -2\nL = (a*b + c) * f\n:backward L\nabc = 1")
    yield km, kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    env.close()


def reply_to(kc, msg_id, timeout=30):
    """The shell reply to msg_id (start_new_kernel may leave extra kernel_info replies)."""
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


def run(kc, code, timeout=30):
    """Executes code; (the reply's content, the iopub messages of the run)."""
    msg_id = kc.execute(code)
    messages = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
        messages.append(msg)
    return reply_to(kc, msg_id, timeout)["content"], messages


def complete(kc, code, cursor=None):
    content = reply_to(kc, kc.complete(code, len(code) if cursor is None else cursor))["content"]
    assert content["status"] == "ok"
    return content


def inspect(kc, code, cursor=None, detail_level=0):
    msg_id = kc.inspect(code, len(code) if cursor is None else cursor, detail_level)
    return reply_to(kc, msg_id)["content"]


@pytest.mark.parametrize("code, expected", [
    ("a", ["a", "abc", "abs"]),                       # names and functions
    ("y = sig", ["sigmoid", "sign"]),                 # in an expression
    (":gr", [":grad"]),                               # commands
    (":draw L sh", ["shade"]),                        # drawing options
    (":draw L lr max", ["max-nodes="]),
    (":grad ab", ["abc"]),                            # a command's NAME argument
    (":help si", ["sigmoid", "sign", "sin"]),
    ("a.gr", ["grad"]),                               # attributes
    (":trace L fr", ["frames"]),
    ("x = 1; :ba", [":backward"]),                    # after ;
])
def test_complete(kernel, code, expected):
    content = complete(kernel[1], code)
    matches = [m for m in content["matches"] if m in expected or not expected]
    assert matches == expected, content["matches"]
    word = re.split(r"[\s.;=]", code)[-1]
    assert content["cursor_start"] == len(code) - len(word)
    assert content["cursor_end"] == len(code)


def test_complete_types(kernel):
    types = {t["text"]: t["type"] for t in complete(kernel[1], "ab")["metadata"]
             ["_jupyter_types_experimental"]}
    assert types == {"abc": "name", "abs": "function"}


def test_complete_in_the_middle(kernel):
    code = "L2 = ta + a"
    content = complete(kernel[1], code, cursor=len("L2 = ta"))
    assert "tanh" in content["matches"]
    assert (content["cursor_start"], content["cursor_end"]) == (5, 7)


def test_complete_files(kernel):
    run(kernel[1], ":save part.mg")
    assert "part.mg" in complete(kernel[1], ":load pa")["matches"]


def test_complete_offers_what_the_spec_allows(kernel):
    # The session's completion, which follows each command's spec: options and picture files
    # after `:draw L `, never words of a help text, names or leaves where they fit.
    kc = kernel[1]
    matches = complete(kc, ":draw L ")["matches"]
    assert {"depth=", "shade", "tb", "format="} <= set(matches)
    assert not {"them", "stronger", "a", "L"} & set(matches)
    assert complete(kc, ":draw L format=p")["matches"] == ["format=pdf", "format=png"]
    leaves = complete(kc, ":set ")["matches"]
    assert "a" in leaves and "L" not in leaves
    assert complete(kc, ":export ")["matches"] == ["torch"]


def test_long_words_complete_and_inspect_at_once(kernel):
    # One pass over the text, and a word longer than any name is not looked up: a 60,000-
    # character word once took 8.7 s (a regular expression that backtracked).
    kc = kernel[1]
    for code, expected in [("a" * 60_000, []), ("y = " + "b." * 30_000 + "g", ["grad"]),
                           (":draw L " + "x" * 60_000, []), ("# " + "a." * 30_000, [])]:
        started = time.monotonic()
        assert complete(kc, code)["matches"] == expected
        assert not inspect(kc, code)["found"]
        assert time.monotonic() - started < 2.0, code[:20]


def test_inspect_name(kernel):
    content = inspect(kernel[1], "L", cursor=1)
    assert content["found"]
    text = content["data"]["text/plain"]
    first = text.splitlines()[0].split()
    assert first[:3] == ["L", "=", "#5"] and first[-4:] == ["data", "-8", "grad", "1"]
    assert "made at <cell 1>:2" in text
    # The second Shift-Tab: the whole graph.
    deep = inspect(kernel[1], "L", cursor=1, detail_level=1)["data"]["text/plain"]
    assert any(line.split()[-4:] == ["data", "2", "grad", "6"] for line in deep.splitlines())


def test_inspect_attribute_shows_its_node(kernel):
    text = inspect(kernel[1], "a.grad", cursor=1)["data"]["text/plain"]
    assert text.split()[:5] == ["a", "data", "2", "grad", "6"]


def test_inspect_command_and_function(kernel):
    kc = kernel[1]
    assert inspect(kc, ":grad L", cursor=3)["data"]["text/plain"].startswith(":grad [NAME]")
    assert inspect(kc, "y = tanh(a)", cursor=6)["data"]["text/plain"].startswith("tanh(x)")
    assert "shade" in inspect(kc, ":draw L shade", cursor=10)["data"]["text/plain"]
    # An option as its spec describes it (from the C++ side, not from the help text).
    steps = inspect(kc, ":minimize L steps=3", cursor=14)["data"]["text/plain"]
    assert steps.startswith("steps=N  how many steps") and "from 1 to 10000000" in steps
    assert not inspect(kc, "nothing_here", cursor=3)["found"]


def test_is_complete(kernel):
    kc = kernel[1]
    for code, status in [("L = (a +", "incomplete"), ("y = a *", "incomplete"),
                         ("y = a * b", "complete"), (":grad", "complete")]:
        assert reply_to(kc, kc.is_complete(code))["content"]["status"] == status, code


def test_interrupt_stops_minimize(kernel):
    km, kc = kernel
    run(kc, "x = 3; M = (x - 1)**2")
    # (stop_on_error=False: the next request is not aborted as the rest of a Run All would be.)
    msg_id = kc.execute(":minimize M steps=10000000 lr=0.000001", stop_on_error=False)
    # Wait until the kernel is busy with it, then interrupt as the notebook's button does.
    while True:
        msg = kc.get_iopub_msg(timeout=10)
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "busy"):
            break
    time.sleep(0.3)
    started = time.monotonic()
    km.interrupt_kernel()
    reply = reply_to(kc, msg_id)
    assert time.monotonic() - started < 5
    content = reply["content"]
    assert content["status"] == "error"
    assert content["ename"] == "KeyboardInterrupt"
    assert re.match(r"interrupted after \d+ of 10000000 steps", content["evalue"])
    # The session goes on, with the leaves where the descent left them.
    reply, messages = run(kc, "x.data")
    assert reply["status"] == "ok"
    results = [m for m in messages if m["msg_type"] == "execute_result"]
    assert 1 < float(results[0]["content"]["data"]["text/plain"]) < 3


def test_quit_gives_a_fresh_session(kernel):
    kc = kernel[1]
    run(kc, "keep = 1")
    reply, messages = run(kc, ":quit")
    assert reply["status"] == "ok"
    reply, _ = run(kc, "keep")
    assert reply["status"] == "error" and "undefined name 'keep'" in reply["evalue"]


def test_restart_gives_a_fresh_session(kernel):
    km, kc = kernel
    run(kc, "before_restart = 1")
    km.restart_kernel(now=True)
    kc.wait_for_ready(timeout=60)
    reply, messages = run(kc, "before_restart")
    assert reply["status"] == "error"
    errors = [m for m in messages if m["msg_type"] == "error"]
    assert "error: undefined name 'before_restart'" in ANSI.sub(
        "", errors[0]["content"]["traceback"][0])
