# the lecture's example, explored
a = 2; b = -3; c = 10; f = -2
e = a*b; d = e + c; L = d*f
:trace L
# bump a by a little: L moves by about dL/da * h
:nudge a 0.001
:nudge c -0.01 L
:nudge b 0.5 e
zz = 1
:nudge a 0.5
# what-if: change a leaf, everything downstream follows
:set a 3
a.data = 2
:set f -2
# one step of gradient descent, then many
:step L 0.01
:step L lr=0.01 a
:minimize L a b steps=20 lr=0.001
x = 3; y = -1; M = (x - 1)**2 + 2*(y + 0.5)**2
:minimize M steps=50 lr=0.1
:minimize M steps=7 lr=1.5
:grad M
:plot 3*x**2 - 4*x + 5 x=-2..3
:plot tanh(t) t=-3..3
:plot a*z**2 z=-1..1
# pictures: a chart of f and f', the loss curve, the backward pass frame by frame
:plot sin(x) x=0..6.283185307179586 sin.svg
:minimize M steps=5 lr=0.1 plot=loss.svg
:trace L frames
# a node used twice accumulates its gradient
s = 3; w = s*s + exp(s)
:trace w
