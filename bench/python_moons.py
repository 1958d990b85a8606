#!/usr/bin/env python3
"""The Python package's benchmarks: micrograd's moons demo written as micrograd writes it.

    python_moons.py compare [--micrograd DIR] [--steps N]
        The demo's training loop (Value API in Python, MLP(2, [16, 16, 1]), 100 points, SVM
        loss + L2, SGD) under mgrad and, when DIR is a checkout of karpathy/micrograd, under
        micrograd, from the same seeds: the losses of the steps both run must agree to 1e-12
        relative (the engines sum gradients in different orders, so the last bits may differ)
        and the accuracies be identical; prints the median time per step of each and the ratio.
    python_moons.py w2 < START
        W2 from mgrad-w2-export's START (its data set and initial weights): the same loop,
        rebuilt every step in Python, timed as bench/peers/torch_peers.py times PyTorch (median
        of 200 single steps); its losses must agree with START's (mgrad's C++ trainer).
    python_moons.py profile [--steps N]
        Where a step's time goes: inputs, forward, loss (and accuracy), backward, update.
    python_moons.py memory STEPS...
        Peak RSS of a process that runs the loop for each number of steps (one process each).

Run it with the package on the path: PYTHONPATH=build/bench/python (bench/run.sh python).
"""

import argparse
import importlib
import json
import random
import resource
import statistics
import subprocess
import sys
import time

import numpy as np
from sklearn.datasets import make_moons


def demo(Value, MLP, steps, on_step, X=None, y=None, model=None, schedule=None):
    """micrograd's demo.ipynb, cell by cell, with a hook where it prints."""
    if X is None:
        np.random.seed(1337)
        random.seed(1337)
        X, y = make_moons(n_samples=100, noise=0.1)
        y = y*2 - 1  # make y be -1 or 1
    if model is None:
        model = MLP(2, [16, 16, 1])  # 2-layer neural network

    def loss(batch_size=None):
        Xb, yb = X, y
        inputs = [list(map(Value, xrow)) for xrow in Xb]
        # forward the model to get scores
        scores = list(map(model, inputs))
        # svm "max-margin" loss
        losses = [(1 + -yi*scorei).relu() for yi, scorei in zip(yb, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        # L2 regularization
        alpha = 1e-4
        reg_loss = alpha * sum((p*p for p in model.parameters()))
        total_loss = data_loss + reg_loss
        # also get accuracy
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    for k in range(steps):
        t0 = time.perf_counter()
        # forward
        total_loss, acc = loss()
        # backward
        model.zero_grad()
        total_loss.backward()
        # update (sgd)
        learning_rate = schedule(k) if schedule else 1.0 - 0.9*k/100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        elapsed = time.perf_counter() - t0
        on_step(k, f"step {k} loss {total_loss.data}, accuracy {acc*100}%", elapsed)


def engine(name):
    return importlib.import_module(f"{name}.engine").Value, importlib.import_module(f"{name}.nn").MLP


def run(name, steps):
    Value, MLP = engine(name)
    lines, times = [], []
    demo(Value, MLP, steps, lambda k, line, t: (lines.append(line), times.append(t)))
    return lines, times


def compare(args):
    import mgrad
    mgrad_lines, mgrad_times = run("mgrad", args.steps)
    print(f"mgrad {mgrad.__version__}: {args.steps} steps, median {ms(mgrad_times)} per step "
          f"(first {ms(mgrad_times[:1])}), final: {mgrad_lines[-1]}")
    if not args.micrograd:
        print("micrograd: skipped (give --micrograd DIR, a checkout of karpathy/micrograd)")
        return
    sys.path.insert(0, args.micrograd)
    steps = min(args.micrograd_steps, args.steps)
    micro_lines, micro_times = run("micrograd", steps)
    print(f"micrograd: {steps} steps, median {ms(micro_times)} per step")
    # The gradients of a weight used by 100 points are sums of 100 terms, which the two engines
    # add in different orders (micrograd's topological sort, mgrad's tape): the last bits may
    # differ, so the losses are compared to a tolerance and the accuracies exactly.
    worst = max(abs(a - b) / abs(a) for a, b in zip(map(loss_of, micro_lines),
                                                    map(loss_of, mgrad_lines)))
    same = worst <= 1e-12 and all(a.split()[-1] == b.split()[-1]
                                  for a, b in zip(micro_lines, mgrad_lines))
    print(f"first {steps} steps: losses agree to {worst:.1e} relative, accuracies identical: "
          f"{'yes' if same else 'NO'}")
    if not same:
        for a, b in zip(micro_lines, mgrad_lines):
            print(f"  micrograd: {a}\n  mgrad:     {b}")
        sys.exit(1)
    # Steps after the first (the first pays for warming up) in both.
    m = statistics.median(mgrad_times[1:steps] or mgrad_times)
    u = statistics.median(micro_times[1:] or micro_times)
    print(f"per step, steps 1..{steps - 1}: micrograd {u * 1e3:.1f} ms, mgrad "
          f"{statistics.median(mgrad_times[1:steps]) * 1e3:.2f} ms; "
          f"over all {args.steps} mgrad steps {ms(mgrad_times)}: mgrad is {u / m:.0f}x faster "
          f"(same steps), {u / statistics.median(mgrad_times):.0f}x (all steps)")


def loss_of(line):
    return float(line.split()[3].rstrip(","))


def ms(times):
    return f"{statistics.median(times) * 1e3:.2f} ms"


def w2(args):
    from mgrad import Value
    from mgrad.nn import MLP
    start = json.load(sys.stdin)
    model = MLP(2, [16, 16, 1])
    for layer, spec in zip(model.layers, start["layers"]):
        for neuron, w, b in zip(layer.neurons, spec["w"], spec["b"]):
            for p, v in zip(neuron.w, w):
                p.data = v
            neuron.b.data = b
    X = np.array(start["points"])
    y = np.array([1 if c else -1 for c in start["labels"]])
    total = start["steps"]
    losses, times = [], []

    def on_step(k, line, t):
        losses.append(loss_of(line))
        times.append(t)

    demo(Value, MLP, len(start["losses"]) + 200, on_step, X, y, model,
         lambda k: 1.0 - 0.9 * k / total)
    n = len(start["losses"])
    worst = max(abs(a - b) / abs(b) for a, b in zip(losses[:n], start["losses"]))
    t = statistics.median(times[n:])
    print(f"mgrad python w2 losses agree with mgrad's C++ trainer to {worst:.1e} relative over "
          f"{n} steps; time per step={t * 1e6:.1f}us (median of {len(times) - n})")
    if worst > 1e-12:
        sys.exit(1)


def profile(args):
    from mgrad import Value
    from mgrad.engine import tape_stats
    from mgrad.nn import MLP
    np.random.seed(1337)
    random.seed(1337)
    X, y = make_moons(n_samples=100, noise=0.1)
    y = y*2 - 1
    model = MLP(2, [16, 16, 1])
    phases = {k: [] for k in ("inputs", "forward", "loss", "backward", "update", "step")}
    for k in range(args.steps):
        t0 = time.perf_counter()
        inputs = [list(map(Value, xrow)) for xrow in X]
        t1 = time.perf_counter()
        scores = list(map(model, inputs))
        t2 = time.perf_counter()
        losses = [(1 + -yi*scorei).relu() for yi, scorei in zip(y, scores)]
        total_loss = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum((p*p for p in model.parameters()))
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
        t3 = time.perf_counter()
        model.zero_grad()
        total_loss.backward()
        t4 = time.perf_counter()
        for p in model.parameters():
            p.data -= (1.0 - 0.9*min(k, 99)/100) * p.grad
        t5 = time.perf_counter()
        for name, a, b in (("inputs", t0, t1), ("forward", t1, t2), ("loss", t2, t3),
                           ("backward", t3, t4), ("update", t4, t5), ("step", t0, t5)):
            phases[name].append(b - a)
    # Means, not medians: a collection lands in whichever phase makes the node that triggers
    # it, so the phases' medians would not add up to a step.
    skip = min(20, args.steps // 4)  # the first steps pay for the memory the tape grows into
    step = statistics.mean(phases["step"][skip:])
    for name, times in phases.items():
        t = statistics.mean(times[skip:])
        print(f"{name:9s} {t * 1e6:8.1f} us  {100 * t / step:5.1f}%  (mean of steps {skip}..)")
    print(f"median step {statistics.median(phases['step'][skip:]) * 1e6:.1f} us; "
          f"tape: {tape_stats()}")


def memory_child(steps):
    from mgrad.engine import tape_stats
    times = []
    Value, MLP = engine("mgrad")
    demo(Value, MLP, steps, lambda k, line, t: times.append(t),
         schedule=lambda k: 1.0 - 0.9 * min(k, 99) / 100)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{steps} steps: peak RSS {peak:.1f} MiB, median {ms(times)} per step, "
          f"tape {tape_stats()['nodes']} nodes after {tape_stats()['collections']} collections")


def memory(args):
    for steps in args.steps:
        subprocess.run([sys.executable, __file__, "memory-child", str(steps)], check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    c = sub.add_parser("compare")
    c.add_argument("--micrograd", help="a checkout of karpathy/micrograd")
    c.add_argument("--steps", type=int, default=100)
    c.add_argument("--micrograd-steps", type=int, default=4,
                   help="steps under micrograd (each takes seconds)")
    sub.add_parser("w2")
    p = sub.add_parser("profile")
    p.add_argument("--steps", type=int, default=200)
    m = sub.add_parser("memory")
    m.add_argument("steps", type=int, nargs="+")
    mc = sub.add_parser("memory-child")
    mc.add_argument("steps", type=int)
    args = parser.parse_args()
    if args.mode == "memory-child":
        return memory_child(args.steps)
    {"compare": compare, "w2": w2, "profile": profile, "memory": memory}[args.mode](args)


if __name__ == "__main__":
    main()
