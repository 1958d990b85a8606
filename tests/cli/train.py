#!/usr/bin/env python3
"""`mgrad train` as a command-line tool: usage errors, help, progress on a terminal and off it,
Ctrl-C, and model files.

    train.py PATH/TO/mgrad

- Bad values are usage errors before anything runs: exit status 2, `mgrad train: error:` and
  a pointer to --help (CLI11's own codes 104, 105, 109 never leak out).
- `mgrad help train` and `mgrad train --help` print the options; `mgrad --help` lists train.
- Progress: on a terminal one line redrawn in place (`\\r`, erase line) and one newline at the
  end; with TERM=dumb, through a pipe or a file, plain lines without control characters;
  nothing with --quiet.
- Ctrl-C on a terminal stops at the end of a step: the result, the plots and the model are
  still written, and the exit status is 130.
- A model saved after 20 steps and loaded again gives the same loss, and trains on.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from pty_repl import PtyRepl  # noqa: E402

MGRAD = os.path.abspath(sys.argv[1])
failures = []


def check(ok, message):
    if not ok:
        failures.append(message)
        print(f"FAIL: {message}")


def run(args, cwd, env=None):
    return subprocess.run([MGRAD] + args, cwd=cwd, capture_output=True, text=True, timeout=120,
                          env=env)


def run_pty(args, cwd, env, interrupt_after=None):
    """Runs mgrad on a pseudo-terminal (stdin, stdout, stderr); returns (status, output).

    With interrupt_after, Ctrl-C is typed once that text has appeared."""
    return PtyRepl(MGRAD, cwd, args=args, timeout=120, environment=env).read_to_end(
        interrupt_after)


with tempfile.TemporaryDirectory() as work:
    env = dict(os.environ, LC_ALL="C.UTF-8")

    # --- usage errors -----------------------------------------------------------------------
    for args, says in [
        (["--steps", "-1"], "--steps: must be a whole number from 0 to 1000000, not '-1'"),
        (["--steps", "1e12"], "--steps: must be a whole number from 0 to 1000000, not '1e12'"),
        (["--layers", "-1"], "--layers: must be a whole number from 1 to 1000, not '-1'"),
        (["--layers", "4000,4000"], "--layers: must be a whole number from 1 to 1000"),
        (["--samples", "1000000"], "--samples: must be a whole number from 1 to 100000"),
        (["--samples", "100000"], "graph nodes"),
        (["--layers", "1000,1000"], "graph nodes"),
        (["--lr", "0"], "--lr: must be a finite, positive number"),
        (["--dataset", "spirals"], "--dataset"),
        (["--frobnicate"], "--frobnicate"),
        (["--load", "m.json", "--layers", "4"], "--load"),
    ]:
        r = run(["train"] + args, work)
        check(r.returncode == 2, f"train {args}: exit status {r.returncode}, expected 2")
        check(r.stderr.startswith("mgrad train: error: ") and says in r.stderr
              and "Try 'mgrad train --help'" in r.stderr,
              f"train {args}: stderr is {r.stderr!r}")
        check(r.stdout == "", f"train {args}: something ran: {r.stdout!r}")

    # --- help -------------------------------------------------------------------------------
    r = run(["help", "train"], work)
    check(r.returncode == 0 and "--save FILE" in r.stdout and "--load FILE" in r.stdout,
          f"mgrad help train: {r.returncode} {r.stdout[:200]!r}")
    check(r.stdout == run(["train", "--help"], work).stdout, "help train differs from --help")
    r = run(["--help"], work)
    check("mgrad train [OPTIONS]" in r.stdout, "mgrad --help does not list train")
    r = run(["help", "trian"], work)
    check(r.returncode == 2 and "no help on 'trian'" in r.stderr, f"help trian: {r.stderr!r}")
    r = run(["-c", ":help train"], work)
    check("mgrad help train" in r.stdout, f":help train: {r.stdout!r}")

    # --- progress off a terminal: plain lines every tenth of the way ------------------------
    r = run(["train", "--steps", "30"], work)
    lines = r.stderr.splitlines()
    progress = [l for l in lines if l.startswith("[")]
    check(r.returncode == 0, f"train --steps 30: {r.returncode} {r.stderr}")
    check(len(progress) == 10 and progress[-1].startswith("[####################] 30/30  loss"),
          f"expected 10 progress lines, got {progress}")
    check("\r" not in r.stderr and "\033" not in r.stderr, "control characters in a pipe")
    check(re.search(r"steps/s", progress[0]) is not None, f"no rate: {progress[0]!r}")
    r = run(["train", "--steps", "30", "--quiet"], work)
    check(r.stderr == "" and r.stdout.startswith("after 30 steps:"),
          f"--quiet: {r.stdout!r} {r.stderr!r}")

    # --- on a terminal -----------------------------------------------------------------------
    status, shown = run_pty(["train", "--steps", "200"], work, dict(env, TERM="xterm"))
    check(status == 0, f"on a terminal: status {status}")
    check("\r\033[K[" in shown, "no line redrawn in place on a terminal")
    bars = shown.count("\r\033[K")
    check(1 <= bars <= 200, f"{bars} redraws")
    # Exactly one line of progress stays: the result follows on a line of its own.
    check(re.search(r"\[#{20}\] 200/200  loss [0-9.]+  accuracy [0-9.]+%[^\r\n]*\r?\n",
                    shown) is not None, f"the last bar does not end its line: {shown!r}")
    check(re.search(r"accuracy  ?[0-9.]+%step", shown) is None, "garbled progress")
    status, shown = run_pty(["train", "--steps", "30"], work, dict(env, TERM="dumb"))
    check(status == 0 and "\033" not in shown and "\r\033[K" not in shown
          and shown.count("[") >= 10, f"TERM=dumb: {shown!r}")
    status, shown = run_pty(["train", "--steps", "30", "-q"], work, dict(env, TERM="xterm"))
    check(status == 0 and "[" not in shown and "after 30 steps" in shown,
          f"--quiet on a terminal: {shown!r}")

    # --- Ctrl-C ------------------------------------------------------------------------------
    status, shown = run_pty(["train", "--steps", "1000000", "--plot-loss", "int.svg",
                             "--save", "int.json"], work, dict(env, TERM="xterm"),
                            interrupt_after="steps/s")
    check(status == 130, f"Ctrl-C: exit status {status}, expected 130: {shown[-300:]!r}")
    match = re.search(r"interrupted after (\d+) of 1000000 steps", shown)
    check(match is not None, f"no 'interrupted after': {shown[-300:]!r}")
    check(re.search(r"after \d+ steps?: loss [0-9.]+, accuracy", shown) is not None,
          "no result after Ctrl-C")
    check("wrote int.svg" in shown and "wrote int.json" in shown, "plots or model not written")
    for f in ("int.svg", "int.json"):
        check(os.path.getsize(os.path.join(work, f)) > 1000, f"{f} is not complete")
    if match:
        with open(os.path.join(work, "int.json")) as f:
            record = json.load(f)["training"]
        check(record["steps_done"] == int(match.group(1)),
              f"the model records {record['steps_done']} steps")

    # --- save and load -----------------------------------------------------------------------
    r = run(["train", "--steps", "20", "--save", "m.json"], work)
    check(r.returncode == 0 and "wrote m.json" in r.stdout, f"--save: {r.stdout} {r.stderr}")
    first = re.search(r"after 20 steps: (loss [0-9.]+, accuracy .*)", r.stdout)
    r = run(["train", "--load", "m.json", "--steps", "0"], work)
    again = re.search(r"after 0 steps: (loss [0-9.]+, accuracy .*)", r.stdout)
    check(first and again and first.group(1) == again.group(1),
          f"the loaded model scores differently: {first and first.group(1)} vs "
          f"{again and again.group(1)}")
    r = run(["train", "--load", "m.json", "--steps", "30", "--constant-lr", "--lr", "0.1",
             "--save", "m2.json", "--quiet"], work)
    check(r.returncode == 0, f"training a loaded model: {r.stderr}")
    with open(os.path.join(work, "m2.json")) as f:
        check(json.load(f)["training"]["steps_done"] == 50, "steps_done does not add up")
    r = run(["train", "--load", "m.json", "--dataset", "blobs"], work)
    check(r.returncode == 1 and "has 1 output, but the ce loss on blobs needs 3" in r.stderr,
          f"a model of the wrong shape: {r.stderr!r}")
    r = run(["train", "--load", "missing.json"], work)
    check(r.returncode == 1 and "cannot read 'missing.json'" in r.stderr, r.stderr)

if failures:
    sys.exit(f"{len(failures)} failures")
print("ok")
