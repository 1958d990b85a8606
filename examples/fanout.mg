# Tutorial step 5: a node used twice gets the sum of both gradients.
# b = a + a: db/da is 1 through each use, 2 in all.
a = 3.0
b = a + a
:backward b
a.grad

# A node used by two others: a and b both feed d = a*b and e = a + b.
:reset
a = -2.0
b = 3.0
d = a * b
e = a + b
f = d * e
f
:backward f
# df/da = e * b (through d) + d * 1 (through e) = 3 - 6.
e.data * b.data + d.data
a.grad
# df/db = e * a + d = -2 - 6.
e.data * a.data + d.data
b.grad
:grad f
:draw f fanout.png
