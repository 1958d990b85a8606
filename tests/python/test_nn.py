"""mgrad.nn: micrograd's demo written exactly as in micrograd, the native forward pass against
micrograd's Python one, losses and optimisers."""

import random

import numpy as np
import pytest
import torch
from sklearn.datasets import make_moons

from mgrad import Value
from mgrad.nn import MLP, SGD, Adam, Layer, Neuron, linear_schedule
import mgrad.nn as nn


def test_micrograd_demo_reaches_full_accuracy():
    # micrograd's demo.ipynb, cell by cell (plots left out), only the imports changed.
    np.random.seed(1337)
    random.seed(1337)
    X, y = make_moons(n_samples=100, noise=0.1)
    y = y*2 - 1  # make y be -1 or 1

    model = MLP(2, [16, 16, 1])  # 2-layer neural network
    assert len(model.parameters()) == 337

    def loss(batch_size=None):
        # inline DataLoader :)
        if batch_size is None:
            Xb, yb = X, y
        else:
            ri = np.random.permutation(X.shape[0])[:batch_size]
            Xb, yb = X[ri], y[ri]
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

    total_loss, acc = loss()
    history = []
    for k in range(100):
        # forward
        total_loss, acc = loss()
        # backward
        model.zero_grad()
        total_loss.backward()
        # update (sgd)
        learning_rate = 1.0 - 0.9*k/100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        if k % 1 == 0:
            history.append((k, total_loss.data, acc))
    assert history[-1][2] == 1.0
    assert history[-1][1] < 0.02
    # The printed loss is the one before the update, as in micrograd: it falls overall.
    assert history[0][1] > 0.5


def micrograd_neuron(n, x):
    """micrograd's Neuron.__call__, in Python, on mgrad Values."""
    act = sum((wi*xi for wi, xi in zip(n.w, x)), n.b)
    return act.relu() if n.nonlin else act


def micrograd_mlp(model, x):
    for layer in model.layers:
        out = [micrograd_neuron(n, x) for n in layer.neurons]
        x = out[0] if len(out) == 1 else out
    return x


def test_native_forward_records_what_micrograds_code_records():
    random.seed(7)
    model = MLP(3, [4, 4, 1])
    x = [0.5, -1.25, 2.0]
    fast = model(x)
    slow = micrograd_mlp(model, x)
    assert fast.data == slow.data  # the same operations in the same order: bit-identical
    fast.backward()
    grads = [p.grad for p in model.parameters()]
    model.zero_grad()
    slow.backward()
    assert grads == [p.grad for p in model.parameters()]
    assert fast._op == slow._op == "+"  # a linear output neuron: b + Σ w x
    # The graph has micrograd's shape too: Add(…Add(b, w0*x0)…, w2*x2).
    assert len(fast.parents) == 2 and fast.parents[1]._op == "*"


def test_modules_take_values_or_numbers_and_return_micrograds_types():
    random.seed(1)
    n = Neuron(2)
    assert repr(n) == "ReLUNeuron(2)"
    assert isinstance(n([1.0, 2.0]), Value)
    layer = Layer(2, 3, nonlin=False)
    assert repr(layer) == "Layer of [LinearNeuron(2), LinearNeuron(2), LinearNeuron(2)]"
    out = layer([Value(1.0), 2])
    assert isinstance(out, list) and len(out) == 3
    assert isinstance(Layer(2, 1)([1.0, 2.0]), Value)
    model = MLP(2, [3, 2])
    assert repr(model).startswith("MLP of [Layer of [ReLUNeuron(2)")
    assert len(model([1.0, 2.0])) == 2
    assert isinstance(model(np.array([0.5, 0.25])), list)  # a NumPy row, as in the demo


def test_changed_weights_are_used_at_once():
    random.seed(2)
    n = Neuron(2, nonlin=False)
    n.w[0] = Value(10.0)
    n.b = Value(1.0)
    assert n([1.0, 0.0]).data == 11.0
    n.w = [Value(2.0)]  # zip stops at the shorter list, as in micrograd
    assert n([3.0, 100.0]).data == 7.0


def test_subclasses_and_odd_inputs_fall_back_to_python():
    calls = []

    class Logged(Neuron):
        def __call__(self, x):
            calls.append(len(x))
            return super().__call__(x)

    random.seed(3)
    layer = Layer(2, 2)
    layer.neurons[1] = Logged(2)
    out = layer([1.0, 2.0])
    assert calls == [2] and len(out) == 2

    class Num:  # neither a Value nor a number, but it multiplies with one
        def __init__(self, v):
            self.v = v

        def __rmul__(self, other):
            return other * self.v

    n = Neuron(2, nonlin=False)
    assert n([Num(1.0), Num(2.0)]).data == pytest.approx(n.w[0].data + 2 * n.w[1].data)


def test_losses():
    s = [Value(0.5), Value(-2.0), Value(3.0)]
    assert nn.mse(s, [1.0, -1.0, 3.0]).data == pytest.approx((0.25 + 1.0 + 0.0) / 3)
    assert nn.mse(s, [1.0, -1.0, 3.0], reduction="sum").data == pytest.approx(1.25)
    assert nn.svm(s, [1, -1, -1]).data == pytest.approx((0.5 + 0.0 + 4.0) / 3)
    bce = nn.binary_cross_entropy([Value(0.3)], [1])
    assert bce.data == pytest.approx(-np.log(1 / (1 + np.exp(-0.3))))
    logits = [[Value(1.0), Value(2.0), Value(0.5)]]
    ce = nn.cross_entropy(logits, [1])
    z = np.array([1.0, 2.0, 0.5])
    assert ce.data == pytest.approx(np.log(np.exp(z).sum()) - 2.0)
    assert nn.cross_entropy(logits, [[0, 1, 0]]).data == pytest.approx(ce.data)
    ce.backward()
    softmax = np.exp(z) / np.exp(z).sum()
    assert [v.grad for v in logits[0]] == pytest.approx(softmax - np.array([0, 1, 0]))
    assert nn.l2(s, 0.1).data == pytest.approx(0.1 * (0.25 + 4 + 9))
    with pytest.raises(ValueError):
        nn.mse(s, [1.0])
    with pytest.raises(TypeError):
        nn.mse(s, ["a", "b", "c"])


def test_optimisers_match_pytorch():
    for kind in ("sgd", "adam"):
        random.seed(5)
        start = [random.uniform(-1, 1) for _ in range(3)]
        ps = [Value(v) for v in start]
        pt = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        if kind == "sgd":
            opt, topt = SGD(ps, lr=0.1), torch.optim.SGD([pt], lr=0.1)
        else:
            opt, topt = Adam(ps, lr=0.05), torch.optim.Adam([pt], lr=0.05)
        for _ in range(20):
            opt.zero_grad()
            loss = (ps[0] * ps[1] - ps[2]) ** 2 + ps[0] ** 2
            loss.backward()
            opt.step()
            topt.zero_grad()
            tloss = (pt[0] * pt[1] - pt[2]) ** 2 + pt[0] ** 2
            tloss.backward()
            topt.step()
        assert [p.data for p in ps] == pytest.approx(pt.tolist(), rel=1e-12), kind
        assert opt.steps == 20


def test_an_optimiser_replays_a_graph_built_once():
    # mgrad's own way: build the loss once; the optimiser's updates are recomputed through it.
    random.seed(11)
    model = MLP(2, [4, 1])
    X = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
    Y = [1.0, 1.0, -1.0, -1.0]
    loss = nn.mse([model(x) for x in X], Y)
    opt = SGD(model.parameters(), lr=linear_schedule(0.1, 0.1, 50))
    first = loss.data
    for _ in range(50):
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.data < first
    rebuilt = nn.mse([model(x) for x in X], Y)
    assert rebuilt.data == pytest.approx(loss.data, rel=1e-15)
    assert opt.lr == pytest.approx(0.01)
