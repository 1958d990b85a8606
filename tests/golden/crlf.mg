# Windows line endings (CRLF) read like Unix ones.
a = 2
b = a * 3 \
  + 1
:backward b
:grad
c = a +
