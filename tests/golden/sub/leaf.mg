leaf = 21
