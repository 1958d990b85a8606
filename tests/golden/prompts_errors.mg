# Characters that have no one meaning here get a pointed message.
a = 2
a²
√a
a · a
a – 1
>>>a = 3
