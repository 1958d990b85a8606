# Invalid UTF-8 is refused and shown as U+FFFD; valid UTF-8 is named.
a = 1 # comments may hold anything: ÿþ
b = a ÿ 2
c = aÃ( + 1
d = â‚¬ 2
e = a í €
f = Î»
:vars
