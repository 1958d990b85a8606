# Assignments are quiet; bare expressions print.
a = 2
b = -3
a
a * b
a*b + 10
1/3
0.1 + 0.2
2 ** 10
# ** binds tighter than unary minus and groups to the right; ^ is the same operator.
-2**2
2**3**2
2^3^2
(-2)**2
2**-1
# Left-associative + - * /
10 - 3 - 2
16 / 4 / 2
1 + 2 * 3
(1 + 2) * 3
-a
--a
+a
# Functions
tanh(0.5)
exp(1)
log(10)
relu(-a)
sigmoid(0)
sqrt(2)
abs(b)
sin(1)
cos(1)
pow(a, 3)
pow(2, 0.5)
# Numbers
.5
1e-3
3.
1E3
# .data and .grad are plain numbers
a.data
a.grad
a.data * 3
(a * b).data
x = a.data
x
# A statement may go on after an operator or inside parentheses
y = a +
    b
y
z = (a
     * b)
z
# ; separates statements on one line
p = 1; q = 2; p + q
