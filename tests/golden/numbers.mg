# Numbers print in the shortest form that reads back to the same double (Python's repr,
# without ".0" on whole numbers).
0.1
-20
1/3
2/3
100
1e15
1e16
1e17
123456789012345678
0.0001
0.00001
1e-05
1.5e-10
5e-324
1.7976931348623157e308
-0
0
2**0.5
1e22
1.0/7
