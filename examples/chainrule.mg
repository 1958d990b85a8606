# Tutorial step 4: the chain rule by hand, next to :trace.
a = 2.0
b = -3.0
c = 10.0
e = a * b
d = e + c
f = -2.0
L = d * f
# dL/da = dL/dd * dd/de * de/da = f * 1 * b
f.data * 1 * b.data
# dL/db = dL/dd * dd/de * de/db = f * 1 * a
f.data * 1 * a.data
# dL/dc = dL/dd * dd/dc = f * 1
f.data * 1
# dL/df = d
d.data
# :trace runs the backward pass and prints each step of it.
:trace L
:grad L
