# Tutorial step 9: mgrad's gradients against finite differences and against PyTorch.
a = 2.0
b = -3.0
c = 10.0
e = a * b
d = e + c
f = -2.0
L = d * f
:check L
# The neuron of step 6.
:reset
x1 = 2.0
x2 = 0.0
w1 = -3.0
w2 = 1.0
b = 6.8813735870195432
o = tanh(x1*w1 + x2*w2 + b)
:check o
# A PyTorch script that rebuilds the graph of o and prints its gradients.
:export torch neuron.py o
