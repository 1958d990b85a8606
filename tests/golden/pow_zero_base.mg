# x ** y at a zero base: grad() gives what :backward gives (and PyTorch: 0, not NaN or -inf).
x = 0; y = 2
grad(x**y, y)
L = x**y
:backward L
y.grad

# 0 ** 0: both derivatives are 0.
x = 0; y = 0
grad(x**y, x)
grad(x**y, y)
L = x**y
:backward L
x.grad
y.grad

# x ** x at 0.
x = 0
grad(x**x, x)
L = x**x
:backward L
x.grad
