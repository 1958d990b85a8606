:load cycle_a.mg
a
