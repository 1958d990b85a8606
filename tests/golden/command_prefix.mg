# Commands may be shortened to a prefix only they have, as in GHCi; :h, :? and :q too.
a = 2; b = -3; L = a*b
:b L
:g L
:h tanh
:? sign
:he back
:help :b
:sa prefix_saved.mg
:load prefix_saved.mg
:g
:q
a
