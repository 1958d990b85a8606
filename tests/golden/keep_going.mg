# Every error is reported; the statements between them still run.
a = 2
b = ab + 1
c = tahn(a)
d = (a + 1
e = 1e999
f = a $ 2
g = a.dat
h = a b
i = pow(a)
j = a(1)
k = 2.data
:gard
:tree nothere
:grad a b
exp = 3
3 = a
tanh
a
