# A node used twice: both edges are real; the shared subtree is shown once.
a = 3
b = a + a
c = b * b
:backward c
:tree c
:grad
# Depth limit
x = 1
y = x + 1
y = y * 2
y = y + 3
y = tanh(y)
:tree y 2
