# A graph with every op the language has, for tests/export/run_torch.py.
x1 = 2; x2 = 0; w1 = -3; w2 = 1; b = 6.881373587019543
x1w1 = x1*w1; x2w2 = x2*w2; x1w1x2w2 = x1w1 + x2w2
n = x1w1x2w2 + b
o = tanh(n)
p = exp(o) / (1 + o**2) - sigmoid(n) * sqrt(abs(w1)) + log(x1) * sin(w2) - cos(x1w1)
q = pow(x1, w2 + 0.5) + relu(n) - 3 * x1 ** -1.5 + -w2
r = p * q - o
# a derivative as a graph: its nodes (step, sign …) are exported too
g = grad(r * relu(w2) + abs(x1w1), x1)
L = r + g * w1
