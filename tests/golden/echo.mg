# A comment line is echoed as it is.
a = 2  # a trailing comment is not
b = -3; L = a * b

# Statements on several lines get continuation prompts.
M = (a +
     b)
L
:backward L
a.grad
