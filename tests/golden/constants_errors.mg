# Constants and nodes keep their names apart.
const n = 2
x = 3
n = 5
n += 1
const x = 4
const k = x
const k = x.data
k
n.data
n.grad
:grad n
:backward n
n.data = 4
const tanh = 1
const = 2
const 3 = 4
n(2)
