# Habits from Python and micrograd get a message that names the mgrad way.
a = 2
L = a * 3
draw_dot(L)
Value(2.0)
print(a)
L.grad = 1
L.grad += 1
a.zero_grad()
L.item()
backward(L)
x = L.backward()
(a * 2).backward()
L.backward(1)
a.tanh
a.foo()
a.data()
a.tanh(2)
3.data
n = Neuron(2)
