# The gradient lab: confirm, poke at and use the gradients of the lecture's expression.
# Run it with: mgrad --echo examples/gradient_lab.mg
a = 2; b = -3; c = 10; f = -2
e = a*b; d = e + c; L = d*f

# Are the gradients right? Compare them with finite differences (a failure stops the script).
:check L

# How backpropagation got them, one chain-rule step at a time.
:trace L

# Bump a by a little: L moves by about dL/da * h.
:nudge a 0.001

# What if a were 3? Everything downstream is recomputed, nothing is rebuilt.
:set a 3
:set a 2

# Derivatives are graphs too: the second derivative of x³ is 6x.
x = 1.5
d2 = grad(grad(x**3, x), x)
d2

# The lecture's first picture: f(x) = 3x² − 4x + 5 and its slope.
:plot 3*x**2 - 4*x + 5 x=-2..3

# And its minimum, found by gradient descent (the exact answer is 2/3).
y = 0
q = 3*y**2 - 4*y + 5
:minimize q steps=40 lr=0.1
