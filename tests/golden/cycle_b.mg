b = 2
:load cycle_a.mg
