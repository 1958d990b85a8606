# :check compares backprop with central differences for every leaf
a = 2; b = -3; c = 10; f = -2
e = a*b; d = e + c; L = d*f
:check L
:check L 1e-4
x = 0.5; y = tanh(x) * x + sqrt(x) / exp(x)
:check y
# the gradients and data are as before (nothing was backpropagated)
:grad L
k = 5
:check k
