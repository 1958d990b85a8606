a = 2
b = (a +

