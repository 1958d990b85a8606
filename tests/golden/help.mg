:help
:help grad
:help :tree
:help tanh
:help syntax
:help train
:help nope
