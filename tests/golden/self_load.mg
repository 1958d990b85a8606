x = 1
:load self_load.mg
