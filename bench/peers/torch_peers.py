#!/usr/bin/env python3
"""PyTorch CPU peers for mgrad's benchmarks (float64, one thread, like mgrad).

    torch_peers.py w1-scalar [NODES]   one 0-d tensor per scalar (W1 shrunk to NODES, default 100k)
    torch_peers.py w1-batched          the same maths on vectors: one op per expression step
    torch_peers.py w3 [DEPTH]          a DEPTH-deep tanh chain of 0-d tensors (default 100k)

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


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "w1-scalar"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
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
