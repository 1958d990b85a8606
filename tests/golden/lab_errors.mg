# bad arguments for every lab command
a = 2; b = -3; L = a*b
:check
:check L 0
:check L -1
:check L nope
:check L 1e-6 extra
:check nope
:set
:set L 3
:set a
:set a x
:nudge a
:nudge a inf
:nudge L 0.1
:step L
:step L x
:step L 0.1 L
:step L 0.1 a a
:minimize
:minimize L steps=0
:minimize L steps=x
:minimize L lr=
:minimize L speed=3
:minimize L plot=loss.bmp
:minimize L steps=3 lr=1e300
:plot
:plot x**2
:plot x=0..1
:plot x**2 x=1..0
:plot x**2 x=..1
:plot x**2 x=0..inf
:plot x**2 x=0..1 out.bmp
:plot x**2 x=0..1 out.svg extra
:plot x** x=0..1
:plot x + zz x=0..1
:plot log(x) x=-2..-1
:trace
:trace nope
:trace L a.svg b
:export
:export torch
:export numpy out.py
:export torch no-such-dir/out.py
:plot 1e300*x x=-1e8..1e8
z = 5
:nudge z 0.1
