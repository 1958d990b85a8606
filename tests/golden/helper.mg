# Loaded by load.mg
w = 0.5
h = w * 4
