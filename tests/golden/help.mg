:help
:help grad
:help :tree
:help tanh
:help syntax
:help nope
