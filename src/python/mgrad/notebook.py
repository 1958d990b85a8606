"""mgrad's language in notebooks: the sessions notebook cells share, and a run's events as
Jupyter messages. The two notebook front ends use it: the mgrad kernel (src/kernel) and the
IPython extension (`%load_ext mgrad`, mgrad/ipython.py), so a cell shows the same either way.

Text (help, progress, `:trace` lines) is a stream on stdout; results of bare expressions and
tables are `execute_result`s (a table also as HTML); pictures are `display_data`; a warning is
a stream on stderr; an error is an `error` whose traceback is the diagnostic as the REPL prints
it — position in the cell's own lines, the line, the caret — coloured as the REPL colours it on a
terminal (Diagnostic.styled: the colours come with the diagnostic, none is read out of its text).
"""

from __future__ import annotations

import os
import re
from typing import Dict, List, Optional, Tuple

from .session import Diagnostic, FileWritten, Picture, Result, RunResult, Session, Table, Text

Message = Tuple[str, dict]  # (msg_type, content) for the iopub channel

_sessions: Dict[str, Session] = {}


def allowed_directories() -> List[str]:
    """The directories beyond the notebook's own (the kernel's current directory) that cells may
    write into: MGRAD_ALLOW_WRITE, separated by ':'. A notebook is a document, often someone
    else's, so its cells run as a script does (docs/reliability.md, "Lesson files")."""
    listed = os.environ.get("MGRAD_ALLOW_WRITE", "")
    return [d for d in listed.split(os.pathsep) if d]


def session(name: str = "default") -> Session:
    """The session named `name`, made on first use: the one `%%mgrad -s NAME` cells run in
    (`%%mgrad` alone: "default"), so Python can read its values (`session()["L"].grad`) and hand
    it numbers (`session()["x"] = 0.5`). Its pictures are drawn in memory, for a notebook to show
    (Session(pictures=True)); cells run in it write where allowed_directories() allows."""
    if not isinstance(name, str):
        raise TypeError(f"a session's name is a str, not {type(name).__name__}")
    found = _sessions.get(name)
    if found is None:
        found = _sessions[name] = Session(pictures=True, allow_write=allowed_directories())
    return found


def end_session(name: str) -> None:
    """Forgets the session `name` (after `:quit`): the next use makes a fresh one."""
    _sessions.pop(name, None)


_RESET, _RED = "\x1b[0m", "\x1b[1;31m"


def coloured_lines(diagnostic: Diagnostic) -> List[str]:
    """The diagnostic as the REPL prints it on a terminal, line by line."""
    return diagnostic.styled.rstrip("\n").split("\n")


def error_content(diagnostic: Optional[Diagnostic], interrupted: bool) -> Dict:
    """The `error` message (and the error reply's fields) for a failed or interrupted run."""
    if diagnostic is None:
        return {"ename": "KeyboardInterrupt", "evalue": "interrupted",
                "traceback": [f"{_RED}interrupted{_RESET} (the statements before it were run)"]}
    return {"ename": "KeyboardInterrupt" if interrupted else "Error",
            "evalue": diagnostic.message, "traceback": coloured_lines(diagnostic)}


_SVG_SIZE = re.compile(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"')


def fit_svg(svg: str) -> str:
    """Graphviz sizes the picture in points, and a wide graph then overflows a notebook's cell.
    As wide as the cell at most (scaled down, never up): width 100% up to the natural width,
    the height following from the viewBox."""
    return _SVG_SIZE.sub(lambda m: f'<svg width="100%" style="max-width:{m.group(1)}pt"', svg, 1)


def picture_bundle(picture: Picture) -> Dict[str, str]:
    import base64  # here: `import mgrad` does not pay for it

    if picture.format == "svg":
        return {"image/svg+xml": fit_svg(picture.data.decode()), "text/plain": picture.caption}
    return {"image/png": base64.b64encode(picture.data).decode("ascii"),
            "text/plain": picture.caption}


def messages(result: RunResult, execution_count: int) -> List[Message]:
    """Everything the run printed or drew, in order, as iopub messages. Consecutive text goes
    out as one stream message, consecutive results as one execute_result (where a plain
    number, which the REPL prints alone after its prompt, says which expression it is)."""
    out: List[Message] = []
    text: List[str] = []
    results: List[Result] = []

    def flush() -> None:
        if text:
            out.append(("stream", {"name": "stdout", "text": "".join(text)}))
            text.clear()
        if results:
            lines = [r.text if len(results) == 1 or r.grad is not None else
                     f"{r.expression} = {r.text}" for r in results]
            out.append(("execute_result", {"execution_count": execution_count,
                                           "data": {"text/plain": "".join(lines).rstrip("\n")},
                                           "metadata": {}}))
            results.clear()

    def emit(message: Message) -> None:
        flush()
        out.append(message)

    errors = 0
    for event in result.events:
        if isinstance(event, Text):
            if results:
                flush()
            text.append(event.text)
        elif isinstance(event, Result):
            if text:
                flush()
            results.append(event)
        elif isinstance(event, Table):
            emit(("execute_result", {"execution_count": execution_count,
                                     "data": {"text/plain": event.text.rstrip("\n"),
                                              "text/html": event._repr_html_()},
                                     "metadata": {}}))
        elif isinstance(event, Picture):
            emit(("display_data", {"data": picture_bundle(event), "metadata": {}}))
        elif isinstance(event, Diagnostic):
            if event.severity == "error":
                errors += 1
                emit(("error", error_content(event, result.interrupted)))
            else:
                emit(("stream", {"name": "stderr",
                                 "text": event.styled}))
        elif isinstance(event, FileWritten):
            pass  # its message ("drew L to L.png") came as text
    flush()
    if result.interrupted and errors == 0:
        out.append(("error", error_content(None, True)))
    return out


def reply_error(result: RunResult) -> Optional[Dict]:
    """The error fields of the execute reply, or None when the run succeeded."""
    if result.ok and not result.interrupted:
        return None
    errors = result.errors
    return error_content(errors[0] if errors else None, result.interrupted)
