#!/usr/bin/env python3
"""Runs a script's ':export torch' output with PyTorch and compares it with mgrad's own
':backward L' + ':grad L' table, number by number.

usage: run_torch.py MGRAD SCRIPT.mg WORK_DIR [NAME]

Exit status: 0 when every value and gradient agrees, 1 when one differs, 77 (ctest's skip code)
when this interpreter has no PyTorch.
"""
import os
import subprocess
import sys

try:
    import torch  # noqa: F401
except ImportError:
    print(f"skipped: PyTorch is not installed for {sys.executable} (python3-torch)")
    sys.exit(77)

mgrad, script, work = sys.argv[1:4]
name = sys.argv[4] if len(sys.argv) > 4 else "L"
os.makedirs(work, exist_ok=True)
exported = os.path.join(work, "graph.py")

run = subprocess.run(
    [mgrad, script, "-c", f':export torch "{exported}" {name}; :backward {name}; :grad {name}'],
    capture_output=True, text=True)
if run.returncode != 0:
    sys.exit(f"mgrad failed ({run.returncode}):\n{run.stdout}{run.stderr}")
lines = run.stdout.splitlines()
ours = lines[[i for i, l in enumerate(lines) if l.startswith("wrote ")][0] + 1:]

torch_run = subprocess.run([sys.executable, exported], capture_output=True, text=True)
if torch_run.returncode != 0:
    sys.exit(f"the exported script failed:\n{torch_run.stdout}{torch_run.stderr}")
theirs = torch_run.stdout.splitlines()


def rows(table):
    return [line.split() for line in table[1:]]


a, b = rows(ours), rows(theirs)
if [r[0] for r in a] != [r[0] for r in b]:
    sys.exit("the two tables name different nodes:\n" + "\n".join(ours) + "\n---\n" +
             "\n".join(theirs))
identical = close = 0
bad = []
for ra, rb in zip(a, b):
    for what, x, y in (("data", ra[1], rb[1]), ("grad", ra[2], rb[2])):
        if x == y:
            identical += 1
            continue
        fx, fy = float(x), float(y)
        if abs(fx - fy) <= 1e-12 * max(abs(fx), abs(fy)):
            close += 1
        else:
            bad.append(f"{ra[0]}.{what}: mgrad {x}, PyTorch {y}")
total = 2 * len(a)
print(f"{len(a)} named nodes, {total} numbers: {identical} identical, "
      f"{close} within 1e-12 (relative), {len(bad)} different; torch {torch.__version__}")
if bad:
    print("\n".join(bad))
    sys.exit(1)
