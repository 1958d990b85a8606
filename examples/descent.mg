# Tutorial step 7: gradient descent on f(x) = 3x² − 4x + 5, whose minimum is at x = 2/3.
x = 3
f = 3*x**2 - 4*x + 5
# One step: x moves against the gradient, x.data -= lr * x.grad = 3 - 0.02 * 14.
:step f 0.02
# Many steps, with the loss curve.
:minimize f steps=40 lr=0.02 plot=descent.png
x.data
f.data
# Too large a step overshoots: with lr = 0.4 each step multiplies the distance to 2/3 by -1.4.
x.data = 3
:minimize f steps=10 lr=0.4
