# Mistakes with functions are caught at the definition, with a caret.
f(x) = 2*x
fact(n) = n * fact(n - 1)
a(x) = x + 1
b(x) = a(x) * 2
a(x) = b(x) - 1
k(x) = x * zz
k2(x, y) = x + yy
f(1, 2)
f()
tanh(x) = x
grad(f, x) = f
f(3) = 9
f(x, x) = x
f(x + 1) = x
n = 2
n(x) = x
f = 3
const f = 3
area(w, l) = w * l
area(2)
:plot area x=0..1
