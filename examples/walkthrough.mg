# Tutorial step 3: L = (a*b + c) * f, gradient by gradient.
a = 2.0
b = -3.0
c = 10.0
e = a * b
d = e + c
f = -2.0
L = d * f
L
:backward L
# dL/dL = 1: the output's gradient is where backpropagation starts.
L.grad
# L = d * f: the gradient of one factor is the other factor times L's gradient.
f.data * L.grad
d.grad
d.data * L.grad
f.grad
# d = e + c: a sum passes its gradient unchanged to both inputs.
d.grad
c.grad
e.grad
# e = a * b: a.grad = b * e.grad = -3 * -2 and b.grad = a * e.grad = 2 * -2.
b.data * e.grad
a.grad
a.data * e.grad
b.grad
:tree L
:draw L walkthrough.png
