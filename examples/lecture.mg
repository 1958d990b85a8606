# The micrograd lecture in mgrad: a small expression, then a neuron.
# Run it as a transcript with:  mgrad --echo examples/lecture.mg

# Part 1: L = (a*b + c) * f, built one step at a time.
a = 2.0
b = -3.0
c = 10.0
e = a * b
d = e + c
f = -2.0
L = d * f
L
:backward L
:grad L
# dL/da = f * b = 6: nudging a by h moves L by about 6h.
a.grad
:tree L

# Part 2: a neuron with two inputs, o = tanh(x1*w1 + x2*w2 + b).
:reset
x1 = 2.0
x2 = 0.0
w1 = -3.0
w2 = 1.0
b = 6.8813735870195432
x1w1 = x1 * w1
x2w2 = x2 * w2
x1w1x2w2 = x1w1 + x2w2
n = x1w1x2w2 + b
o = tanh(n)
:backward o
:grad o

# The same neuron with tanh written out: tanh(n) = (exp(2n) - 1) / (exp(2n) + 1).
e = exp(2 * n)
o = (e - 1) / (e + 1)
:backward o
o
:grad o
:tree o
