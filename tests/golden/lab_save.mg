# :set, :step, :minimize and :trace change the session, so :save replays them
a = 2; b = -3; L = a*b
:set a 3
:step L 0.1
:minimize L a steps=2 lr=0.01
:save lab_saved.mg
:reset
:load lab_saved.mg
:grad
