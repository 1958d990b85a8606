# Runtime problems are warnings; values follow IEEE arithmetic, as in PyTorch.
a = 1
zero = 0
q = a / zero
r = log(-a)
s = log(zero)
t = sqrt(-a)
u = exp(1000)
v = (-8) ** (1/3)
w = zero ** -1
x = sqrt(zero)
:backward x
q + 1
1/0
r
k = 2
kk = 1 / k
k.data = 0
kk
