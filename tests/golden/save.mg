# :save writes a script that rebuilds the session; :load brings it back after :reset.
a = 2
b = -3
a * b
c = a * b
c = c + 1
:backward c
:save saved.txt
:reset
:vars
:load saved.txt
:grad
:vars
