# A constant is a plain number that folds in like a literal: not a leaf, not a node.
const n = 2
const h = 0.0001
x = -1.5
y = x**n
:tree y
# x**n is a power by a constant: its gradient is fine for a negative x.
:backward y
x.grad
# Constants take no part in :check, :grad or the pictures as inputs.
s = (x + h)**2
:check s
:grad
# A constant may be defined again; nodes built before keep the value they folded in.
const n = 3
x**n
y
n
n * 2
:vars
:help n
