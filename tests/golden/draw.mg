# :draw writes the graph in the format its file's extension names.
a = 2; b = -3; c = 10; f = -2
e = a*b
d = e + c
L = d * f
:backward L
:draw L lecture.svg
:draw L lecture.dot tb decimals=2
:draw L lecture.json
:draw L lecture.png shade
:draw L lecture.gv format=dot
# Every mistake is reported and the session goes on (--keep-going).
:draw L lecture.bmp
:draw M lecture.svg
:draw L no-such-dir/lecture.svg
:draw L lecture.svg decimls=2
:draw L lecture.svg depth=-1
:draw L
L.grad
