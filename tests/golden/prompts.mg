# Lines pasted from a transcript keep their prompts: they are read as blanks.
>>> a = 2
>>> b = (a +
...      3)
>>> b
...
>>>
# Typographic operators from a document: the minus sign U+2212, × and ÷.
a × b − 1
a ÷ 4
c = a
c −= 1
c ×= 3
c
