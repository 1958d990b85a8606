"""Tab completion in a notebook cell of mgrad's language (the kernel's and `%%mgrad` cells'):
the session's own completion (Session.complete, the one every front end uses), which knows
each command's spec, so a cell completes exactly the words the REPL does: after `:draw L `
the drawing options and picture files, after `:view L ` the options, after `name.` data and
grad.

Only the line the cursor is in is handed over (a statement never spans lines at a cursor that
completes a word), and the work grows with its length, never faster.
"""

from __future__ import annotations

from typing import Dict, List, Tuple

from .session import Session


class Completer:
    """Completions for one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def candidates(self, code: str, cursor: int) -> Tuple[int, List[Tuple[str, str]]]:
        """(where the word starts in `code`, [(candidate, kind) …])."""
        line_start = code.rfind("\n", 0, cursor) + 1
        try:
            completion = self.session.complete(code[line_start:cursor])
        except UnicodeEncodeError:  # a lone surrogate (JSON's \ud800): no word holds one
            return cursor, []
        return line_start + completion.start, [(c.text, c.kind) for c in completion.candidates]

    def complete(self, code: str, cursor: int) -> Dict:
        """The content of a complete_reply."""
        start, matches = self.candidates(code, cursor)
        return {
            "status": "ok",
            "matches": [m for m, _ in matches],
            "cursor_start": start,
            "cursor_end": cursor,
            "metadata": {"_jupyter_types_experimental": [
                {"start": start, "end": cursor, "text": m, "type": t} for m, t in matches]},
        }
