# The mgrad language from Python: statements in, results, tables and Values out.
import mgrad

s = mgrad.Session()
r = s.run("""
a = 2; b = -3; c = 10; f = -2
L = (a*b + c) * f
:backward L
:grad L
L
""")
table = r.tables[0]
print(table.header, table.rows[1:3], "...")
print(r.results[0].label, r.results[0].data, r.results[0].grad)
print(r.stdout, end="")

L = s["L"]  # a Value on the session's graph
print(L, s["a"].grad)

try:
    s.run("M = (ab + 1) * f")
except mgrad.Error as e:
    print(e.formatted, end="")
    print("line", e.line, "column", e.column)

print(s.completions(":d"), s.completions("ta"))
