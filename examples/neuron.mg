# Tutorial step 6: a neuron with two inputs, o = tanh(x1*w1 + x2*w2 + b).
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
o
:backward o
# do/dn = 1 - tanh(n)**2 = 1 - o**2, a half (up to rounding).
1 - o.data**2
:grad o
:draw o neuron.png

# The same neuron with tanh written out: tanh(n) = (exp(2n) - 1) / (exp(2n) + 1).
:reset
x1 = 2.0
x2 = 0.0
w1 = -3.0
w2 = 1.0
b = 6.8813735870195432
n = x1*w1 + x2*w2 + b
e = exp(2 * n)
o = (e - 1) / (e + 1)
o
:backward o
:grad o
