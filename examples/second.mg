# Tutorial step 10: derivatives of derivatives.
x = 3
y = x**3
# grad(y, x) is a node: its value is dy/dx = 3x² = 27, and it has a graph of its own.
dy = grad(y, x)
dy
:tree dy
# So it can be differentiated again: 6x = 18, then 6.
d2y = grad(dy, x)
d2y
d3y = grad(d2y, x)
d3y
# tanh: the second derivative is -2 tanh(x) (1 - tanh(x)²); at x = 0.5:
:reset
x = 0.5
t = tanh(x)
grad(grad(t, x), x)
-2 * t.data * (1 - t.data**2)
# A mixed partial of g = x²y + exp(xy): ∂²g/∂x∂y = 2x + exp(xy) (1 + xy).
:reset
x = 1.5
y = -0.5
g = x**2 * y + exp(x * y)
gxy = grad(grad(g, x), y)
gxy
2 * x.data + exp(x.data * y.data) * (1 + x.data * y.data)
# The other order gives the same number.
grad(grad(g, y), x)
