# The last line has no newline after it.
a = 2
b = a * 3
:backward b
b