a = 2
b = 3
c = a * bb
d = 4
