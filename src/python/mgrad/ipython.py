"""`%load_ext mgrad`: mgrad's language in cells of any IPython notebook — Jupyter, VS Code,
Google Colab — on the ordinary Python kernel.

    %%mgrad                 the cell is mgrad's language, run in the session "default"
    %%mgrad -s lab          … in the session "lab" (mgrad.session("lab") from Python)
    %mgrad STATEMENT        one line, in "default" (`%mgrad -s lab STATEMENT` in "lab")

A cell shows what the mgrad kernel shows for it (mgrad.notebook makes both): results and
tables (as HTML), `:draw`, `:plot` and `:trace` pictures inline, warnings on stderr, and an
error as the REPL prints it, with its caret, in the cell's own line numbers. Sessions persist
across cells. Cells write files as the kernel's do: only inside the notebook's directory and
MGRAD_ALLOW_WRITE's. IPython is imported only when the extension is loaded.
"""

from __future__ import annotations

import re
import sys
from typing import Any, Dict, Optional, Tuple

from . import notebook
from .completion import Completer
from .errors import Error

_SESSION_OPTION = re.compile(r"\s*(?:-s|--session)(?:\s+|=)(\S+)")
_MAGIC_LINE = re.compile(r"\s*%%mgrad\b")


def parse_options(line: str) -> Tuple[str, str]:
    """(the session's name, the rest of the line) of a magic's line: `-s lab rest`."""
    m = _SESSION_OPTION.match(line)
    if m is None:
        return "default", line.strip()
    return m.group(1), line[m.end():].strip()


def _traceback(content: Dict[str, Any]):
    lines = content["traceback"]
    return lambda: lines


def _exception(content: Dict[str, Any], result) -> BaseException:
    """The error message of the kernel as the exception the cell raises: IPython prints its
    `_render_traceback_()` (the diagnostic with its caret) instead of Python's traceback."""
    if content["ename"] == "KeyboardInterrupt":
        exc: BaseException = KeyboardInterrupt(content["evalue"])
    else:
        first = result.errors[0] if result.errors else None
        exc = Error(content["evalue"], first.span if first else None,
                    first.source if first else "", first.text if first else "")
        exc.result = result
    exc._render_traceback_ = _traceback(content)  # type: ignore[attr-defined]
    return exc


def run(name: str, code: str, *, source: str, first_line: int = 1) -> None:
    """Runs `code` in the session `name` and shows what it printed and drew under the cell;
    raises (after showing the rest) when a statement failed or the run was interrupted."""
    from IPython.display import display

    session = notebook.session(name)
    # A cell is the notebook's text, not the program's: it writes as the kernel's cells do.
    result = session.run(code, source=source, first_line=first_line, check=False, script=True)
    error: Optional[Dict[str, Any]] = None
    for kind, content in notebook.messages(result, 0):
        if kind == "stream":
            (sys.stdout if content["name"] == "stdout" else sys.stderr).write(content["text"])
        elif kind in ("execute_result", "display_data"):
            display(content["data"], raw=True, metadata=content.get("metadata") or None)
        elif kind == "error":
            if error is not None:  # --keep-going's earlier errors; the cell raises the last
                sys.stderr.write("\n".join(error["traceback"]) + "\n")
            error = content
    if session.quit_requested:
        notebook.end_session(name)
        print(f":quit ended the session {name!r}; the next cell starts a fresh one")
    if error is not None:
        raise _exception(error, result)


def mgrad_magic(line: str, cell: Optional[str] = None) -> None:
    """Runs mgrad's language: `%%mgrad [-s NAME]` a whole cell, `%mgrad [-s NAME] STATEMENT`
    one line, in the session NAME ("default" when not given; mgrad.session(NAME) from Python).

    Results, tables and pictures appear under the cell as in the mgrad kernel; an error shows
    the statement with a caret, and stops the notebook's Run All as a Python error does.
    """
    from IPython import get_ipython

    ip = get_ipython()
    count = ip.execution_count if ip is not None else 0
    name, rest = parse_options(line)
    if cell is None:
        run(name, rest, source="<%mgrad>")
    else:
        if rest:
            raise Error(f"%%mgrad takes only -s NAME on its line, not {rest!r}")
        # The cell's first line is `%%mgrad`: its statements start on line 2.
        run(name, cell, source=f"<cell {count}>", first_line=2)


def _completion_matcher():
    """A completer for `%%mgrad` cells (IPython 8.6's matcher API, which sees the whole cell);
    None for older IPythons."""
    try:
        from IPython.core.completer import SimpleCompletion, context_matcher
    except ImportError:
        return None

    @context_matcher(priority=100, identifier="mgrad")
    def complete_mgrad(context) -> Dict[str, Any]:
        lines = context.full_text.split("\n")
        if context.cursor_line == 0 or not _MAGIC_LINE.match(lines[0]):
            return {"completions": []}
        code = "\n".join(lines[1:])
        cursor = sum(len(s) + 1 for s in lines[1:context.cursor_line]) + context.cursor_position
        name, _ = parse_options(_MAGIC_LINE.sub("", lines[0], 1))
        reply = Completer(notebook.session(name)).complete(code, cursor)
        types = reply["metadata"]["_jupyter_types_experimental"]
        return {"completions": [SimpleCompletion(t["text"], type=t["type"]) for t in types],
                "matched_fragment": code[reply["cursor_start"]:cursor], "suppress": True}

    return complete_mgrad


def load_ipython_extension(ipython) -> None:
    ipython.register_magic_function(mgrad_magic, magic_kind="line_cell", magic_name="mgrad")
    unload_ipython_extension(ipython)  # one completer, however often it is loaded
    matcher = _completion_matcher()
    if matcher is not None:
        ipython.Completer.custom_matchers.append(matcher)


def unload_ipython_extension(ipython) -> None:
    ipython.Completer.custom_matchers[:] = [
        m for m in ipython.Completer.custom_matchers
        if getattr(m, "matcher_identifier", None) != "mgrad"]
