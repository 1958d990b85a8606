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
