"""MgradKernel: one mgrad.Session per kernel; a cell is one run of the session.

ipykernel's wrapper-kernel API does the protocol (ZeroMQ, signing, heartbeat, the control
channel); this class only answers execute, complete, inspect and is_complete requests. The
session is made with pictures=True, so `:draw NAME`, `:plot`, `:trace NAME frames` and
`:minimize … plot` draw in memory and the pictures go out as display_data.

Files: a notebook is a document, often someone else's, so its cells run as a script does: they
may write only inside the notebook's directory (the kernel's current directory) and the
directories listed in the environment variable MGRAD_ALLOW_WRITE (separated by ':'), which the
kernel reads when it starts (docs/reliability.md, "Lesson files").

Interrupt: Jupyter sends SIGINT to the kernel. While a cell runs, mgrad.Session turns it into
the session's interrupt flag, which `:minimize` and a long script poll, as Ctrl-C in the REPL;
before the run starts, the cell ends at once (replies.py: every request gets a reply, at any
moment of an interrupt).
"""

from __future__ import annotations

from typing import Any, Dict, Optional

import mgrad
from mgrad.completion import Completer
from mgrad.notebook import allowed_directories, error_content, messages, reply_error

from .inspection import Inspector
from .replies import RepliesKernel


def request_error(message: str) -> Dict:
    """The reply to a request whose fields are not what the protocol says (ipykernel sends no
    reply at all when a handler raises, and the front end would wait forever)."""
    return {"status": "error", "ename": "TypeError", "evalue": message, "traceback": [message]}


def cursor_in(code: str, cursor_pos: Any) -> Optional[int]:
    """The cursor as an index into `code` (code points, as the protocol counts them): None
    means its end, and a position outside the code is taken as the nearest end. None when it is
    not an integer."""
    if cursor_pos is None:
        return len(code)
    if type(cursor_pos) is not int:  # (a bool is an int to isinstance)
        return None
    return min(max(cursor_pos, 0), len(code))


class MgradKernel(RepliesKernel):
    implementation = "mgrad_kernel"
    implementation_version = mgrad.__version__
    language = "mgrad"
    language_version = mgrad.__version__
    language_info = {
        "name": "mgrad",
        "version": mgrad.__version__,
        "mimetype": "text/x-mgrad",
        "file_extension": ".mg",
        # No editor mode of its own: Python's highlights its numbers, operators and # comments.
        "codemirror_mode": "python",
        "pygments_lexer": "python",
    }
    banner = (f"mgrad {mgrad.__version__} — automatic differentiation you can see.\n"
              "Type :help for the commands, :help syntax for the language.")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._new_session()

    def _new_session(self) -> None:
        # (Kernel.session is the protocol's message session: the language's has another name.)
        self.mgrad_session = mgrad.Session(pictures=True, allow_write=allowed_directories())
        self.completer = Completer(self.mgrad_session)
        self.inspector = Inspector(self.mgrad_session)

    # --- execute ---------------------------------------------------------------------------

    def do_execute(self, code: str, silent: bool, store_history: bool = True,
                   user_expressions: Dict = None, allow_stdin: bool = False, *,
                   cell_id: str = None) -> Dict:
        count = self.execution_count
        if not isinstance(code, str):
            return {"execution_count": count,
                    **request_error(f"code must be a string, not {type(code).__name__}")}
        session = self.mgrad_session
        with self.while_running(session.interrupt):
            if self.interrupted():  # SIGINT before the run began: the cell ends here
                return self._failed(error_content(None, True), count, silent)
            try:
                # Diagnostics name the cell as the notebook numbers it, lines counted in the cell.
                result = session.run(code, source=f"<cell {count}>", check=False, script=True)
            except UnicodeEncodeError as e:  # a lone surrogate, which JSON's \ud800 can carry
                return self._failed({"ename": "UnicodeError", "evalue": str(e),
                                     "traceback": [str(e)]}, count, silent)
        if not silent:
            for msg_type, content in messages(result, count):
                self.send_response(self.iopub_socket, msg_type, content)
        if self.mgrad_session.quit_requested:
            # A notebook has nothing to leave: the session ends and a fresh one begins, as
            # after Kernel → Restart.
            self._new_session()
            if not silent:
                self.send_response(self.iopub_socket, "stream", {
                    "name": "stdout",
                    "text": ":quit ended the session; this kernel goes on with a fresh one\n"})
        error = reply_error(result)
        if error is not None:
            return {"status": "error", "execution_count": count, **error}
        return {"status": "ok", "execution_count": count, "payload": [], "user_expressions": {}}

    def _failed(self, error: Dict, count: int, silent: bool) -> Dict:
        if not silent:
            self.send_response(self.iopub_socket, "error", error)
        return {"status": "error", "execution_count": count, **error}

    def do_is_complete(self, code: str) -> Dict:
        # The REPL's rule: more lines while the text ends inside ( ) or after an operator.
        if not isinstance(code, str):
            return {"status": "unknown"}
        try:
            incomplete = mgrad.Session.is_incomplete(code)
        except UnicodeEncodeError:  # a lone surrogate: no statement holds one
            return {"status": "invalid"}
        if incomplete:
            return {"status": "incomplete", "indent": ""}
        return {"status": "complete"}

    # --- completion and inspection ---------------------------------------------------------

    def do_complete(self, code: str, cursor_pos: int) -> Dict:
        cursor = cursor_in(code, cursor_pos) if isinstance(code, str) else None
        if cursor is None:
            return request_error("complete_request: code must be a string and cursor_pos an "
                                 "integer")
        return self.completer.complete(code, cursor)

    def do_inspect(self, code: str, cursor_pos: int, detail_level: int = 0,
                   omit_sections=()) -> Dict:
        cursor = cursor_in(code, cursor_pos) if isinstance(code, str) else None
        if cursor is None:
            return request_error("inspect_request: code must be a string and cursor_pos an "
                                 "integer")
        return self.inspector.inspect(code, cursor, 1 if detail_level == 1 else 0)

    def do_shutdown(self, restart: bool) -> Dict:
        # A restart is a new process (the kernel manager's), hence a fresh session.
        return {"status": "ok", "restart": restart}
