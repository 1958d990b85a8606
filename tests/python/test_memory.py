"""The memory rule: a micrograd-style loop, which builds a fresh graph every step, runs in steady
memory, and every Value Python still holds stays valid and correct across collections."""

import gc
import os
import random

import pytest

import mgrad
from mgrad import Value
from mgrad.engine import collect, set_min_growth, tape_stats
from mgrad.nn import MLP


@pytest.fixture(autouse=True)
def small_collections():
    # Collect every 20,000 new nodes instead of 262,144, so a short test sees many collections.
    set_min_growth(20_000)
    yield
    set_min_growth(262_144)


# Under AddressSanitizer freed memory sits in a quarantine (256 MB by default) before it is
# reused, so the process's size says nothing about the tape's; the node counts still do.
SANITIZED = bool(os.environ.get("MGRAD_SANITIZED"))


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def micrograd_step(model, X, y, k):
    inputs = [list(map(Value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum((p * p for p in model.parameters()))
    total_loss = data_loss + reg_loss
    model.zero_grad()
    total_loss.backward()
    learning_rate = 1.0 - 0.9 * min(k, 99) / 100
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return total_loss


def zero_every_grad(root):
    stack, seen = [root], set()
    while stack:
        v = stack.pop()
        if v not in seen:
            seen.add(v)
            v.grad = 0
            stack.extend(v.parents)


def test_ten_thousand_steps_in_steady_memory():
    random.seed(0)
    model = MLP(2, [4, 1])
    X = [[random.uniform(-1, 1), random.uniform(-1, 1)] for _ in range(8)]
    y = [1 if a * b > 0 else -1 for a, b in X]
    nodes_per_step = None
    for k in range(10_000):
        before = tape_stats()["nodes"]
        loss = micrograd_step(model, X, y, k)
        if k == 10:
            nodes_per_step = tape_stats()["nodes"] - before
        if k == 1_000:
            rss_at_1000 = rss_bytes()
    stats = tape_stats()
    assert nodes_per_step > 300
    assert stats["collections"] >= 10_000 * nodes_per_step // 60_000
    # The tape holds one step's graph and the growth allowed before the next collection.
    assert stats["nodes"] < 3 * 20_000 + 2 * nodes_per_step
    if not SANITIZED:
        assert rss_bytes() - rss_at_1000 < 2 << 20
    assert loss.data == loss.data  # the last loss is still readable


def test_held_values_stay_valid_and_correct_across_collections():
    random.seed(1)
    model = MLP(2, [3, 1])
    X = [[0.5, -1.0], [1.5, 2.0], [-0.5, 0.25]]
    y = [1, -1, 1]
    first = micrograd_step(model, X, y, 0)
    # The step's update changed the parameters: record the graph as it is, its gradients from
    # one backward() (it adds into every gradient, micrograd's rule: they start from 0).
    zero_every_grad(first)
    first.backward()
    snapshot = []

    def walk(v, seen):
        if v in seen:
            return
        seen.add(v)
        snapshot.append((v, v.data, v.grad, v._op, v.parents))
        for p in v.parents:
            walk(p, seen)

    walk(first, set())
    set_min_growth(2_000)
    grads_of_inner = {v: v.grad for v, *_ in snapshot if v.op not in ("leaf", "const")}
    collections = tape_stats()["collections"]
    other = MLP(2, [3, 1])  # trained meanwhile, so that `first`'s inputs keep their data
    for k in range(1, 400):
        micrograd_step(other, X, y, k)
    assert tape_stats()["collections"] > collections + 5
    for v, data, grad, op, parents in snapshot:
        assert v._op == op and v.parents == parents and v.data == data
        if v.op in ("leaf", "const"):
            assert v.grad == grad
    # The old graph still backpropagates: from gradients set to 0 (backward() adds into every
    # gradient, micrograd's rule), the same interior gradients as when it was new.
    zero_every_grad(first)
    first.backward()
    for v, grad in grads_of_inner.items():
        assert v.grad == grad
    # And it can be drawn.
    assert "data" in mgrad.draw_dot(first, depth=2).source


def test_dropped_values_free_their_nodes():
    base = collect()
    x = Value(1.0)
    y = x
    for _ in range(1000):
        y = y * 1.5 + 1
    assert tape_stats()["nodes"] >= base + 3000
    del y
    assert collect() == base + 1  # x stays: a Value Python holds
    assert x.data == 1.0


def test_reference_cycles_are_collected_too():
    gc.collect()
    gc.disable()  # so that the cycle below lives until the gc.collect() the test calls
    try:
        check_cycle()
    finally:
        gc.enable()


def check_cycle():
    base = collect()

    class Holder:
        pass

    h = Holder()
    h.me = h  # a cycle: only Python's cycle collector frees it
    h.values = [Value(float(i)) * 2 for i in range(100)]
    h.values.append(h.values)
    del h
    assert collect() > base  # the cycle is still alive until gc runs
    gc.collect()
    assert collect() == base
    assert tape_stats()["values"] < 10


def test_a_loop_of_model_calls_alone_is_collected():
    # Only modules' calls make nodes here: the collection runs after each call.
    random.seed(2)
    model = MLP(2, [16, 16, 1])
    x = [0.5, -0.25]
    for _ in range(500):
        model(x)
    assert tape_stats()["nodes"] < 3 * 20_000 + 2 * 700


def test_sessions_and_their_values_are_freed():
    def churn():
        s = mgrad.Session()
        s.run("a = 2; b = 3\n" + "a = a * b + 1\n" * 200 + ":backward a")
        v = s["a"]  # a Value keeps its session's graph alive
        del s
        assert v.data > 0 and tape_stats()["tapes"] >= 2
        try:
            s2 = mgrad.Session()
            s2.run("x = (")
        except mgrad.Error:
            pass

    gc.collect()
    before = tape_stats()["tapes"]
    for _ in range(50):
        churn()
    gc.collect()
    assert tape_stats()["tapes"] == before  # every session's graph was freed with its Values
