# :plot of a node built from a leaf sweeps the leaf, as :set would, and redraws the node.
x = 3
f = 3*x**2 - 4*x + 5
:plot f x=-2..3
# The session is not changed.
f
x
# Other names keep their data.
w = 2
g = w * x
:plot g x=0..1
:plot g w=0..1
# Nothing that does not depend on the variable is drawn.
y = 2
:plot y x=0..1
:plot 5 x=0..1
:plot f g=0..1
:plot f t=0..1
