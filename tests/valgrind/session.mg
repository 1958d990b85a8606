# A REPL session for valgrind: every kind of statement, errors that are recovered from, the
# tree and table commands, a save and a load.
a = 2
b = -3
c = 10
e = a * b
d = e + c
f = -2
L = d * f
:backward L
:grad
:vars
:tree L
x = 0.5
y = tanh(x) ** 2 + exp(-x) / sqrt(abs(x)) - log(x) * relu(x) + sigmoid(x)
y += sin(x) * cos(x) ^ 3
x.data = 1.5
y
:backward y
:grad y
undefined + 1
z = (1 +
1e999
w = log(-1)
:save saved.mg
:reset
:load saved.mg
:vars
:help
:help tree
