# grad(f, x) is a node, so derivatives of derivatives work. Each result is followed by its
# closed form computed with plain numbers.
x = 1.5
f = x**3
d1 = grad(f, x)
d2 = grad(d1, x)
d3 = grad(d2, x)
d1
3 * 1.5**2
d2
6 * 1.5
d3
grad(d3, x)
# the derivative graph follows its inputs
x.data = -2
d2
6 * -2
# tanh: d²/dx² tanh x = -2 tanh x (1 - tanh² x)
t = 0.7
th = tanh(t)
h2 = grad(grad(th, t), t)
h2
-2 * tanh(0.7) * (1 - tanh(0.7)**2)
# mixed partials of u²v + exp(uv): both orders give 2u + exp(uv) (1 + uv)
u = 0.3; v = -1.2
g = u**2 * v + exp(u*v)
guv = grad(grad(g, u), v)
gvu = grad(grad(g, v), u)
guv
gvu
2*0.3 + exp(0.3 * -1.2) * (1 + 0.3 * -1.2)
# and the pure second partials: 2v + v² exp(uv), u² exp(uv)
grad(grad(g, u), u)
2 * -1.2 + (-1.2)**2 * exp(0.3 * -1.2)
grad(grad(g, v), v)
0.3**2 * exp(0.3 * -1.2)
# a number does not depend on anything; a node not in f gives 0
grad(5, x)
grad(f, u)
# grad's result backpropagates like any node
:backward d1
x.grad
:help grad()
