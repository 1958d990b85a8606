# Where f is undefined, neither f nor its derivative is drawn.
:plot log(x) x=-1..2
:plot sqrt(x) x=-1..1
# Near a pole the frame keeps to the bulk of the values.
:plot 1/x x=-1..1
