# The lecture's neuron, as notebook cells. In Jupyter the last line of a cell,
# draw_dot(o), shows the picture under the cell; here it is saved to neuron.png.
from mgrad import Value, draw_dot

# inputs x1, x2
x1 = Value(2.0, label='x1')
x2 = Value(0.0, label='x2')
# weights w1, w2
w1 = Value(-3.0, label='w1')
w2 = Value(1.0, label='w2')
# bias of the neuron
b = Value(6.8813735870195432, label='b')
# x1*w1 + x2*w2 + b
x1w1 = x1*w1; x1w1.label = 'x1*w1'
x2w2 = x2*w2; x2w2.label = 'x2*w2'
x1w1x2w2 = x1w1 + x2w2; x1w1x2w2.label = 'x1*w1 + x2*w2'
n = x1w1x2w2 + b; n.label = 'n'
o = n.tanh(); o.label = 'o'
o.backward()

print(o, n.grad, x1.grad, w1.grad, x2.grad, w2.grad)
draw_dot(o, format='png').save('neuron.png')
