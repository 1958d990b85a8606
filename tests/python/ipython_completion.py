#!/usr/bin/env python3
"""Tab inside `%%mgrad` cells completes mgrad's language (names, drawing options, `name.`,
commands) and leaves Python's completion alone elsewhere. It needs IPython 8.6's matcher API,
which sees the whole cell; with an older IPython this exits 77 (skipped)."""

import sys

try:
    from IPython.core import completer
except ImportError:
    print("skipped: no IPython")
    sys.exit(77)
if not hasattr(completer, "context_matcher"):
    import IPython
    print(f"skipped: IPython {IPython.__version__} has no matcher API for whole cells (8.6+)")
    sys.exit(77)

from IPython.core.completer import provisionalcompleter  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

shell = InteractiveShell.instance()
shell.run_line_magic("load_ext", "mgrad")
shell.run_cell("%%mgrad -s tab\nalpha = 2; beta = alpha * 3")


def completions(code):
    with provisionalcompleter():
        return [(c.text, c.type, code[c.start:c.end])
                for c in shell.Completer.completions(code, len(code))]


checks = [
    (completions("%%mgrad -s tab\ny = al") == [("alpha", "name", "al")], "a name"),
    (("lr", "option", "") in completions("%%mgrad -s tab\n:draw beta "), "a drawing option"),
    (("grad", "attribute", "g") in completions("%%mgrad -s tab\nx = beta.g"), "name."),
    ((":draw", "command", ":dr") in completions("%%mgrad -s tab\n:dr"), "a command"),
    (("alpha", "name", "al") in completions("%%mgrad -s tab\nx = 1\ny = al"), "line 3"),
    ("alpha" not in [c[0] for c in completions("al")], "Python's cells are Python's"),
]
failed = [what for ok, what in checks if not ok]
for what in failed:
    print(f"completion failed: {what}")
print("ok" if not failed else f"{len(failed)} failed")
sys.exit(1 if failed else 0)
