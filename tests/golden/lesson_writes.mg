# A lesson file from someone else may write only inside the current directory (and the
# directories given with --allow-write): a name that leads out of it is refused.
a = 2; b = -3; L = a * b
:draw L inside.svg
:save sub/../../escape.mg
:save never.mg
