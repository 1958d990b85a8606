:load helper.mg
h
w
:load no-such-file.mg
