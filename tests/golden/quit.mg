a = 1
a
:quit
a + 1
