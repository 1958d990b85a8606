# The tutorial's step 8 in Python: the lecture's training loop on micrograd's MLP.
import random

from mgrad.nn import MLP

random.seed(7)
n = MLP(3, [4, 4, 1])
xs = [
    [2.0, 3.0, -1.0],
    [3.0, -1.0, 0.5],
    [0.5, 1.0, 1.0],
    [1.0, 1.0, -1.0],
]
ys = [1.0, -1.0, -1.0, 1.0]  # desired targets
print(n)
print(len(n.parameters()), "parameters")

for k in range(20):
    # forward pass
    ypred = [n(x) for x in xs]
    loss = sum((yout - ygt)**2 for ygt, yout in zip(ys, ypred))
    # backward pass
    n.zero_grad()  # gradients add up: start each step from zero
    loss.backward()
    # update
    for p in n.parameters():
        p.data += -0.05 * p.grad
    print(f"step {k:2}  loss {loss.data:.6f}")

print("predictions", " ".join(f"{y.data:+.3f}" for y in [n(x) for x in xs]), "  targets", ys)
