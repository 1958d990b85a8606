# The lecture's first graph in Python: micrograd's code, with mgrad's import.
from mgrad import Value, draw_dot

a = Value(2.0, label='a')
b = Value(-3.0, label='b')
c = Value(10.0, label='c')
e = a*b; e.label = 'e'
d = e + c; d.label = 'd'
f = Value(-2.0, label='f')
L = d * f; L.label = 'L'
print(L)

L.backward()
for v in (a, b, c, f, e, d, L):
    print(f"{v.label}: data {v.data:5}  grad {v.grad:5}")

# In a notebook, a cell ending in draw_dot(L) shows the picture; here it goes to a file.
draw_dot(L).save('lecture.svg')
draw_dot(L, format='png').save('lecture.png')

# micrograd's names for the graph, for code that walks it.
print(L._op, sorted(p.label for p in L._prev), [p.label for p in L.parents], L.op)
