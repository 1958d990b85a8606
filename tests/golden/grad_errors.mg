x = 2; f = x**2
grad(f, 3)
grad(f)
grad(f, x, x)
grad = 3
grad(f, y)
