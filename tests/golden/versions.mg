# Rebinding makes a new node; the old one keeps its place and its label.
c = 1
c = c + 1
c = c * 3
c += 1
c -= 0.5
c *= 2
c /= 4
c
:grad
:vars
# An alias shares the node and its label.
d = c
d
# A number (or anything without names) gives a new leaf.
e = 2 * 3
e
:tree c
