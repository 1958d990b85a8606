# tan and atan: each one row of the op table, with its derivative, trace words and help.
x = 0.5
t = tan(x)
u = atan(x)
L = t * u
:backward L
:grad L
:trace L
# d/dx tan x = 1 + tan² x and d/dx atan x = 1 / (1 + x²), as nodes
grad(t, x)
1 + tan(0.5)**2
grad(u, x)
1 / (1 + 0.5**2)
:check L
:help tan
:help atan
