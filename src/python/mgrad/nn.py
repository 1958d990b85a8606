"""micrograd's `nn` module on mgrad: Module, Neuron, Layer, MLP, plus mgrad's losses and
optimisers.

The classes are micrograd's, attribute for attribute (`w`, `b`, `nonlin`, `neurons`, `layers`),
and draw their weights from Python's `random` module as micrograd does, so `random.seed(1337)`
gives micrograd's model exactly. Calling a module runs its forward pass in one native call that
records the same nodes, in the same order, as micrograd's Python code would.
"""

from __future__ import annotations

import random
from typing import Callable, Iterable, List, Sequence, Union

from . import _core
from ._core import Value

__all__ = [
    "Module", "Neuron", "Layer", "MLP",
    "mse", "svm", "binary_cross_entropy", "cross_entropy", "l2",
    "SGD", "Adam", "linear_schedule",
]


class Module:

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0

    def parameters(self):
        return []


class Neuron(Module):

    def __init__(self, nin, nonlin=True):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0)
        self.nonlin = nonlin

    def __call__(self, x):
        out = _core.neuron_call(self, x)
        if out is NotImplemented:  # an input that is neither a Value nor a number
            act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
            out = act.relu() if self.nonlin else act
        return out

    def parameters(self):
        return self.w + [self.b]

    def __repr__(self):
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):

    def __init__(self, nin, nout, **kwargs):
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x):
        out = _core.layer_call(self, x)
        if out is NotImplemented:
            out = [n(x) for n in self.neurons]
            out = out[0] if len(out) == 1 else out
        return out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self):
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):

    def __init__(self, nin, nouts):
        sz = [nin] + nouts
        self.layers = [Layer(sz[i], sz[i + 1], nonlin=i != len(nouts) - 1)
                       for i in range(len(nouts))]

    def __call__(self, x):
        out = _core.mlp_call(self, x)
        if out is NotImplemented:
            out = x
            for layer in self.layers:
                out = layer(out)
        return out

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self):
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"


_core._register_nn(Neuron, Layer)

Number = Union[int, float]
Scalar = Union[Value, Number]


def mse(predictions: Sequence[Scalar], targets: Sequence[Scalar],
        reduction: str = "mean") -> Value:
    """(1/n) Σ (pᵢ − tᵢ)², or the sum with reduction='sum'."""
    return _core.mse(predictions, targets, reduction)


def svm(scores: Sequence[Scalar], labels: Sequence[Scalar]) -> Value:
    """micrograd's max-margin loss: (1/n) Σ relu(1 − yᵢ sᵢ), labels ±1."""
    return _core.svm(scores, labels)


def binary_cross_entropy(logits: Sequence[Scalar], targets: Sequence[Scalar]) -> Value:
    """(1/n) Σ −y log σ(s) − (1 − y) log(1 − σ(s)), targets 0 or 1, computed without overflow."""
    return _core.binary_cross_entropy(logits, targets)


def cross_entropy(logits: Sequence[Sequence[Scalar]],
                  targets: Union[Sequence[int], Sequence[Sequence[Scalar]]]) -> Value:
    """Softmax cross-entropy, one row of logits per sample; targets are class indices or
    one-hot rows."""
    return _core.cross_entropy(logits, targets)


def l2(parameters: Iterable[Value], alpha: float) -> Value:
    """α Σ p²."""
    return _core.l2(list(parameters), alpha)


LearningRate = Union[float, Callable[[int], float]]


def linear_schedule(lr: float, final_fraction: float, steps: int) -> Callable[[int], float]:
    """η(k) = lr·(1 − (1 − final_fraction)·k/steps), then lr·final_fraction: micrograd's demo
    is linear_schedule(1.0, 0.1, 100)."""
    def schedule(k: int) -> float:
        return lr * (1.0 - (1.0 - final_fraction) * min(k, steps) / steps)
    return schedule


class _Optimizer:
    def __init__(self, parameters: Iterable[Value], lr: LearningRate, kind: str,
                 **options: float) -> None:
        self.parameters: List[Value] = list(parameters)
        self._impl = _core.Optimizer(self.parameters, lr, kind, **options)

    def step(self) -> None:
        """One update from the parameters' current gradients."""
        self._impl.step()

    def zero_grad(self) -> None:
        """Set to 0 the parameters' gradients and those of every Value computed from them:
        backward() adds into computed Values' gradients too (micrograd's rule), and a loss built
        once and replayed by step() needs them all back at 0."""
        self._impl.zero_grad()

    @property
    def lr(self) -> float:
        """The learning rate the next step will use."""
        return self._impl.lr

    @property
    def steps(self) -> int:
        """Steps taken so far."""
        return self._impl.steps


class SGD(_Optimizer):
    """p ← p − η(k)·grad. `lr` is a number or a function of the step number k = 0, 1, …"""

    def __init__(self, parameters: Iterable[Value], lr: LearningRate = 0.1) -> None:
        super().__init__(parameters, lr, "sgd")

    def __repr__(self) -> str:
        return f"SGD({len(self.parameters)} parameters, lr={self.lr})"


class Adam(_Optimizer):
    """Adam (Kingma & Ba), as PyTorch's without weight decay."""

    def __init__(self, parameters: Iterable[Value], lr: LearningRate = 0.001,
                 betas: tuple = (0.9, 0.999), eps: float = 1e-8) -> None:
        beta1, beta2 = betas  # a TypeError or ValueError unless a pair (not an IndexError)
        super().__init__(parameters, lr, "adam", beta1=beta1, beta2=beta2, eps=eps)

    def __repr__(self) -> str:
        return f"Adam({len(self.parameters)} parameters, lr={self.lr})"
