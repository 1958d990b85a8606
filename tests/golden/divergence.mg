# Gradient descent with too large a step: the loss grows by orders of magnitude, so :minimize
# stops, says so, and puts the leaves back; a script stops with exit status 1.
x = 3
L = (x - 1)**2
:minimize L steps=5 lr=0.1
:minimize L steps=100 lr=1.5
x
L
