a = 1
:load cycle_b.mg
