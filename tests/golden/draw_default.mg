# :draw without a file writes NAME.svg, as mgrad --draw does; options may follow the name.
a = 2; b = -3; L = a*b
:draw L
:draw L tb shade
:draw L L.dot
