a = 2
:s a 3
:re
:zz
:help :s
