#!/usr/bin/env python3
"""Checks `mgrad --json` against the schema of docs/language.md with a JSON parser.

    check_schema.py PATH/TO/mgrad

Runs a script that makes every kind of event (result, text, table, progress, diagnostic) and
checks that each line of standard output is one JSON object of a documented type with fields of
the documented types, that numbers in tables are JSON numbers, that standard error is empty, and
that the exit status is what it is without --json.
"""
import json
import math
import os
import subprocess
import sys
import tempfile

MGRAD = os.path.abspath(sys.argv[1])

SCRIPT = """\
a = 2; b = -3; L = a*b
L
a.data
:backward L
:grad
:vars
:check L
:set a 3
x = 3; M = (x - 1)**2
:minimize M steps=4 lr=0.1
1/0
L + undefined
:tree L 0
:draw L big.svg max-nodes=2
"""

NUMBER = (int, float)


def is_number(v):
    """A JSON number, or one of the strings that stand for what JSON cannot hold."""
    return (isinstance(v, NUMBER) and not isinstance(v, bool)) or v in ("nan", "inf", "-inf")


def fail(message, line):
    sys.exit(f"FAIL: {message}\n  in: {line}")


SCHEMA = {
    "result": {"expression": str, "data": is_number},
    "text": {"text": str},
    "table": {"columns": list, "rows": list},
    "progress": {"command": str, "step": int, "total": int, "name": str, "value": is_number},
    "diagnostic": {"severity": str, "file": str, "message": str},
}


def check_event(event, line):
    kind = event.get("type")
    if kind not in SCHEMA:
        fail(f"unknown type {kind!r}", line)
    for field, want in SCHEMA[kind].items():
        if field not in event:
            fail(f"{kind} without '{field}'", line)
        value = event[field]
        ok = want(value) if callable(want) and not isinstance(want, type) else isinstance(value, want)
        if not ok:
            fail(f"{kind}.{field} has the wrong type: {value!r}", line)
    if kind == "result" and "grad" in event and not is_number(event["grad"]):
        fail("result.grad is not a number", line)
    if kind == "table":
        width = len(event["columns"])
        if not all(isinstance(c, str) for c in event["columns"]):
            fail("a column name is not a string", line)
        for row in event["rows"]:
            if not isinstance(row, list) or len(row) != width:
                fail("a row does not have one cell per column", line)
            if not all(isinstance(c, (str, int, float)) for c in row):
                fail("a cell is neither a string nor a number", line)
    if kind == "diagnostic":
        if event["severity"] not in ("error", "warning", "note"):
            fail("unknown severity", line)
        for field in ("line", "column"):
            if field not in event or not (event[field] is None or isinstance(event[field], int)):
                fail(f"diagnostic.{field} is neither a number nor null", line)
        if "detail" in event:
            detail = event["detail"]
            if (not isinstance(detail, dict) or not isinstance(detail.get("argument"), str)
                    or not isinstance(detail.get("expected"), str)
                    or not all(isinstance(detail.get(k), list) and all(isinstance(w, str) for w in detail[k])
                               for k in ("suggestions", "fixes"))):
                fail("diagnostic.detail is not as documented", line)
    return kind


with tempfile.TemporaryDirectory() as work:
    path = os.path.join(work, "events.mg")
    with open(path, "w") as f:
        f.write(SCRIPT)
    p = subprocess.run([MGRAD, "--json", "-k", path], cwd=work, capture_output=True, text=True,
                       timeout=60)
    if p.stderr:
        sys.exit(f"FAIL: --json wrote to standard error:\n{p.stderr}")
    if p.returncode != 1:
        sys.exit(f"FAIL: exit status {p.returncode}, expected 1 (the script has an error)")
    seen = {}
    events = []
    for line in p.stdout.splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError as e:
            sys.exit(f"FAIL: not JSON ({e}): {line}")
        if not isinstance(event, dict):
            fail("not an object", line)
        kind = check_event(event, line)
        seen[kind] = seen.get(kind, 0) + 1
        events.append(event)
    missing = set(SCHEMA) - set(seen)
    if missing:
        sys.exit(f"FAIL: no event of type {sorted(missing)} in:\n{p.stdout}")

    # Numbers are numbers, exactly: the :grad table and the results read back as mgrad holds them.
    grad = next(e for e in events if e["type"] == "table" and e["columns"] == ["node", "data", "grad"])
    if grad["rows"] != [["a", 2, -3], ["b", -3, 2], ["L", -6, 1]]:
        sys.exit(f"FAIL: the :grad table is {grad['rows']}")
    check = next(e for e in events if e["type"] == "table" and e["columns"][0] == "leaf"
                 and "numeric" in e["columns"])
    numeric = check["rows"][0][2]
    if not isinstance(numeric, float) or not math.isclose(numeric, -3, rel_tol=1e-8):
        sys.exit(f"FAIL: the :check table's numeric gradient is {numeric!r}")
    inf = next(e for e in events if e["type"] == "result" and e["expression"] == "1/0")
    if inf["data"] != "inf":
        sys.exit(f"FAIL: 1/0 is {inf['data']!r}, expected the string 'inf'")
    progress = [e for e in events if e["type"] == "progress"]
    if [e["step"] for e in progress] != [1, 2, 3, 4] or any(e["total"] != 4 for e in progress):
        sys.exit(f"FAIL: progress events {progress}")
    error = next(e for e in events if e["type"] == "diagnostic" and e["severity"] == "error")
    if (error["file"], error["line"], error["column"]) != (path, 12, 5):
        sys.exit(f"FAIL: the error is placed at {error['file']}:{error['line']}:{error['column']}")
    # An error about an argument says which one and what it takes; a drawing over its cap, the
    # option words that would fit — as data, so that no tool reads them out of the message.
    details = [e.get("detail") for e in events if e["type"] == "diagnostic" and e["line"] in (13, 14)]
    if len(details) != 2 or details[0] != {"argument": "DEPTH", "suggestions": [], "fixes": [],
                                           "expected": "a whole number from 1 to 1000"}:
        sys.exit(f"FAIL: the details are {details}")
    fixes = details[1]["fixes"]
    if not (fixes[0].startswith("depth=") and fixes[-1] == "max-nodes=3"):
        sys.exit(f"FAIL: the drawing's fixes are {fixes}")

print(f"ok: {sum(seen.values())} events of {len(seen)} types, all as documented")
