# Everything --json prints is one JSON object a line: results, tables, progress, diagnostics.
a = 2; b = -3; L = a*b
L
:backward L
:grad
:vars
:check L
:set a 3
x = 3; M = (x - 1)**2
:minimize M steps=4 lr=0.1
:step M 0.1
1/0
L + undefined
