#!/usr/bin/env python3
"""PyTorch CPU peers for mgrad's benchmarks (float64, one thread, like mgrad).

    torch_peers.py w1-scalar [NODES]   one 0-d tensor per scalar (W1 shrunk to NODES, default 100k)
    torch_peers.py w1-batched          the same maths on vectors: one op per expression step
    torch_peers.py w3 [DEPTH]          a DEPTH-deep tanh chain of 0-d tensors (default 100k)
    torch_peers.py w2-batched < START  one training step of the moons demo, batched tensors
    torch_peers.py w2-scalar < START   the same with one 0-d tensor per scalar (3 steps timed)

START is the JSON that mgrad-w2-export prints: the data set, the initial weights and mgrad's
first losses, so both engines train the same model from the same start; the losses must agree.

Each prints `torch <mode> nodes=N y=... g0=... time=...s ns/node=...` with the median of 5 runs,
in the format of mgrad-workload, so bench/run.sh can compare results and ratios.
"""
import statistics
import sys
import time

try:
    import torch
except ImportError:
    print("skipped: PyTorch is not installed (Debian package python3-torch)")
    sys.exit(0)

torch.set_num_threads(1)
DT = torch.float64
NODES_PER_INSTANCE = 33  # mgrad's node count for test_more_ops, constants included


def more_ops(a, b, relu):
    c = a + b
    d = a * b + b ** 3
    c = c + (c + 1.0)
    c = c + (1.0 + c + (-a))
    d = d + (d * 2.0 + relu(b + a))
    d = d + (3.0 * d + relu(b - a))
    e = c - d
    f = e ** 2
    g = f / 2.0
    g = g + 10.0 / f
    return g


def leaf_values(count):
    return [(-4.0 + (i % 97) / 97.0, 2.0 - (i % 97) / 97.0) for i in range(count)]


def pairwise_sum(outs):
    while len(outs) > 1:
        nxt = [outs[i] + outs[i + 1] for i in range(0, len(outs) - 1, 2)]
        if len(outs) % 2:
            nxt.append(outs[-1])
        outs = nxt
    return outs[0]


def w1_scalar(nodes):
    count = nodes // (NODES_PER_INSTANCE + 1)
    leaves = []
    outs = []
    for av, bv in leaf_values(count):
        a = torch.tensor(av, dtype=DT, requires_grad=True)
        b = torch.tensor(bv, dtype=DT, requires_grad=True)
        leaves.append(a)
        outs.append(more_ops(a, b, torch.relu))
    out = pairwise_sum(outs)
    out.backward()
    return out.item(), leaves[0].grad.item(), count * (NODES_PER_INSTANCE + 1)


def w1_batched(nodes=1_000_000):
    count = nodes // (NODES_PER_INSTANCE + 1)
    vals = leaf_values(count)
    a = torch.tensor([v[0] for v in vals], dtype=DT, requires_grad=True)
    b = torch.tensor([v[1] for v in vals], dtype=DT, requires_grad=True)
    out = more_ops(a, b, torch.relu).sum()
    out.backward()
    return out.item(), a.grad[0].item(), count * (NODES_PER_INSTANCE + 1)


def w3(depth):
    x = torch.tensor(0.5, dtype=DT, requires_grad=True)
    y = x
    for _ in range(depth):
        y = torch.tanh(y)
    y.backward()
    return y.item(), x.grad.item(), depth + 1


def w2_model(start, scalar):
    """Parameters as (W, b) per layer: tensors, or nested lists of 0-d tensors."""
    layers = []
    for layer in start["layers"]:
        if scalar:
            w = [[torch.tensor(v, dtype=DT, requires_grad=True) for v in row] for row in layer["w"]]
            b = [torch.tensor(v, dtype=DT, requires_grad=True) for v in layer["b"]]
        else:
            w = torch.tensor(layer["w"], dtype=DT, requires_grad=True)
            b = torch.tensor(layer["b"], dtype=DT, requires_grad=True)
        layers.append((w, b))
    return layers


def w2_params(layers, scalar):
    if not scalar:
        return [t for wb in layers for t in wb]
    return [p for w, b in layers for row in w for p in row] + [p for _, b in layers for p in b]


def w2_loss_batched(layers, x, y, alpha):
    h = x
    for i, (w, b) in enumerate(layers):
        h = h @ w.T + b
        if i + 1 < len(layers):
            h = torch.relu(h)
    data_loss = torch.relu(1.0 + -y * h[:, 0]).mean()
    reg = alpha * sum((p * p).sum() for p in w2_params(layers, False))
    return data_loss + reg


def w2_loss_scalar(layers, x, y, alpha):
    losses = []
    for xi, yi in zip(x, y):
        h = xi
        for li, (w, b) in enumerate(layers):
            out = []
            for row, bias in zip(w, b):
                act = bias
                for wi, hi in zip(row, h):
                    act = act + wi * hi
                out.append(torch.relu(act) if li + 1 < len(layers) else act)
            h = out
        losses.append(torch.relu(1.0 + -yi * h[0]))
    data_loss = sum(losses) * (1.0 / len(losses))
    reg = alpha * sum(p * p for p in w2_params(layers, True))
    return data_loss + reg


def w2(scalar):
    import json
    start = json.load(sys.stdin)
    layers = w2_model(start, scalar)
    params = w2_params(layers, scalar)
    labels = [1.0 if c else -1.0 for c in start["labels"]]
    if scalar:
        x, y = [[float(v) for v in p] for p in start["points"]], labels
    else:
        x, y = torch.tensor(start["points"], dtype=DT), torch.tensor(labels, dtype=DT)
    loss_fn = w2_loss_scalar if scalar else w2_loss_batched
    total_steps = start["steps"]

    def step(k):
        loss = loss_fn(layers, x, y, start["alpha"])
        for p in params:
            p.grad = None
        loss.backward()
        lr = 1.0 - 0.9 * k / total_steps
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
        return loss.item()

    losses = [step(k) for k in range(len(start["losses"]))]
    worst = max(abs(a - b) / abs(b) for a, b in zip(losses, start["losses"]))
    times = []
    for k in range(3 if scalar else 200):
        t0 = time.perf_counter()
        step(len(losses) + k)
        times.append(time.perf_counter() - t0)
    t = statistics.median(times)
    mode = "w2-scalar" if scalar else "w2-batched"
    print(f"torch {mode} losses agree with mgrad to {worst:.1e} relative over {len(losses)} steps; "
          f"time per step={t * 1e6:.1f}us (median of {len(times)})")


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "w1-scalar"
    n = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].isdigit() else 100_000
    if mode in ("w2-batched", "w2-scalar"):
        return w2(mode == "w2-scalar")
    run = {"w1-scalar": lambda: w1_scalar(n), "w1-batched": w1_batched, "w3": lambda: w3(n)}[mode]
    times = []
    for _ in range(5):
        start = time.perf_counter()
        y, g0, nodes = run()
        times.append(time.perf_counter() - start)
    t = statistics.median(times)
    print(f"torch {mode} nodes={nodes} y={y!r} g0={g0!r} time={t:.4f}s ns/node={t * 1e9 / nodes:.2f}")


if __name__ == "__main__":
    main()
