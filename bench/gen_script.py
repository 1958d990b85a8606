#!/usr/bin/env python3
"""W4's input: an mgrad script of N statements (default 1,000,000) ending in :backward.

    gen_script.py N            W4's script
    gen_script.py N --session  N short statements, each followed by `:backward` of its result:
                               a learner's session, in blocks of four statements that start
                               from a fresh leaf (each root has a handful of ancestors).

Each statement binds a new name from the two before it, cycling through four shapes that use
constants, calls and every arithmetic operator, so the parser, the evaluator, the label table
and the backward pass all see realistic work."""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
if "--session" in sys.argv[2:]:
    block = ["a = {x}", "b = a * a - 1", "c = tanh(b) * 2 + a", "d = c / (1 + b*b)"]
    for i in range(n):
        statement = block[i % 4].format(x=0.5 + (i // 4) * 1e-6)
        sys.stdout.write(f"{statement}\n:backward {statement[0]}\n")
    sys.exit(0)
shapes = ["x{a} * 0.999 + x{b}", "tanh(x{a}) - x{b} / 3", "x{a} + x{b} * x{a}",
          "sigmoid(x{b}) * 2 - 1"]
out = sys.stdout
out.write("x0 = 0.5\nx1 = -1.25\n")
for i in range(2, n - 1):
    out.write(f"x{i} = " + shapes[i % 4].format(a=i - 1, b=i - 2) + "\n")
out.write(f":backward x{n - 2}\n")
