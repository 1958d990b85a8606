# Tutorial step 2: how sensitive is d = a*b + c to each of its inputs?
a = 2.0
b = -3.0
c = 10.0
d = a*b + c
d.data
# Bump a by h = 0.0001: d goes down by about 3h, so dd/da ≈ -3 (it is b).
a.data = 2.0001
(d.data - 4) / 0.0001
a.data = 2.0
# Bump b: d goes up by about 2h, so dd/db ≈ 2 (it is a).
b.data = -2.9999
(d.data - 4) / 0.0001
b.data = -3.0
# Bump c: d goes up by h, so dd/dc ≈ 1.
c.data = 10.0001
(d.data - 4) / 0.0001
c.data = 10.0
# Backpropagation gives all three at once, exactly.
:backward d
:grad d
