# Tutorial step 1: a derivative, by a small nudge and by backpropagation.
# f(x) = x**2 at x = 3. The slope is how much f moves per unit that x moves.
x = 3
f = x**2
f
# Nudge x by h = 0.0001 and divide the change in f by h: close to 6, not exactly.
# (.data is a plain number, so this builds no nodes.)
((x.data + 0.0001)**2 - x.data**2) / 0.0001
# Backpropagation gives the derivative 2x exactly.
:backward f
x.grad
# :nudge runs the experiment and puts x back; the smaller h, the closer to the gradient.
:nudge x 0.0001 f
:nudge x 0.000001 f

# The lecture's f(x) = 3x² − 4x + 5: at x = 3 the slope is 6x − 4 = 14.
:reset
x = 3
f = 3*x**2 - 4*x + 5
f
:backward f
x.grad
# At x = 2/3 the slope is 0: the bottom of the parabola.
x.data = 2/3
:backward f
x.grad
# f and its derivative (by backpropagation at every point), in the terminal and as a picture.
:plot 3*x**2 - 4*x + 5 x=-2..3
:plot 3*x**2 - 4*x + 5 x=-2..3 parabola.png

# The same with a function and a constant: `f(x) = …` defines f once for any argument (a
# number or a node), and `const h = …` names a plain number, not a node.
:reset
const h = 0.0001
f(x) = 3*x**2 - 4*x + 5
x = 3
(f(x.data + h) - f(x.data)) / h
y = f(x)
:backward y
x.grad
