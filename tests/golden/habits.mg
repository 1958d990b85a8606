# micrograd's way of writing things works as it reads.
a = 2.0
b = -3.0
c = a.tanh()
d = a.exp() + b.relu() + a.log() + a.sigmoid()
e = a.pow(2)
L = (c * d + e).tanh()
L.backward()
a.grad
b.grad
# The update step of gradient descent.
const lr = 0.01
a.data += 0.01
a.data
a.data -= lr * a.grad
a.data
a.data *= 2
a.data /= 4
a.data
# help, help(tanh), quit and exit as in Python's REPL.
help(tanh)
help(grad)
exit
a.data
