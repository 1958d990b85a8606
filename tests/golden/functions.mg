# A function of the language: the lecture's first lesson.
f(x) = 3*x**2 - 4*x + 5
f(3)
# The slope by a small step, with plain numbers: no node is made.
const h = 0.0001
(f(3 + h) - f(3)) / h
# Called with a node, it builds the body's nodes; grad() differentiates through them.
x = 3
y = f(x)
y
grad(f(x), x)
:backward y
x.grad
# Several parameters, and functions calling functions.
area(w, l) = w * l
area(2, 3.5)
g(t) = f(t) + area(t, 2)
g(x)
# A method call is the function with its receiver first: x.f() is f(x).
x.f()
# Redefinition replaces the body; nodes built before keep theirs.
f(x) = x**2
f(3)
y
:vars
:help f
:help
# :plot takes a function of one parameter by name.
:plot f x=-1..1
