#!/usr/bin/env python3
"""mgrad prints every double as Python's repr() does (whole numbers without ".0").

    number_repr.py PATH/TO/mgrad

Feeds a few thousand doubles (random bit patterns, random decimals, powers of ten, the edges
of the exponent switch) through `mgrad` as literals, and compares each printed line with
repr(). The literals are repr() too, so this also checks that reading round-trips.
"""
import math
import random
import struct
import subprocess
import sys

rng = random.Random(20240601)
values = [0.0, -0.0, 0.1, 0.2, 0.3, 1 / 3, 2 / 3, 5e-324, 2.2250738585072014e-308,
          1.7976931348623157e308, 9007199254740993.0, 24.70408163265306]
for e in range(-30, 30):
    values += [10.0 ** e, 1.5 * 10.0 ** e, -(10.0 ** e), 9.999999999999999 * 10.0 ** e]
for _ in range(2000):
    bits = rng.getrandbits(64)
    x = struct.unpack("<d", struct.pack("<Q", bits))[0]
    if math.isfinite(x):
        values.append(x)
for _ in range(1000):
    values.append(round(rng.uniform(-1000, 1000), rng.randint(0, 12)))
    values.append(float(rng.randint(-10**17, 10**17)))


def expected(x):
    r = repr(x)
    return r[:-2] if r.endswith(".0") else r


script = "".join(f"{repr(x)}\n" for x in values)
run = subprocess.run([sys.argv[1]], input=script, capture_output=True, text=True, check=False)
if run.returncode != 0 or run.stderr:
    sys.exit(f"FAIL: mgrad exited with {run.returncode}:\n{run.stderr}")
got = run.stdout.splitlines()
if len(got) != len(values):
    sys.exit(f"FAIL: {len(values)} numbers in, {len(got)} lines out")
bad = [(repr(x), g, expected(x)) for x, g in zip(values, got) if g != expected(x)]
for literal, g, want in bad[:20]:
    print(f"{literal}: mgrad printed {g}, expected {want}")
if bad:
    sys.exit(f"FAIL: {len(bad)} of {len(values)} numbers differ")
print(f"ok: {len(values)} numbers print as Python's repr")
