"""mgrad.Error: what the engine, the renderer and the language report, as a Python exception."""

from __future__ import annotations

from typing import Any, NamedTuple, Optional


class Span(NamedTuple):
    """Where in a source text an error points: a byte offset and length, a 1-based line and
    column (lines counted from the run's `first_line`)."""

    offset: int
    length: int
    line: int
    column: int


class Error(ValueError):
    """An error mgrad reports: a stale Value, a bad draw option, a statement that fails.

    `message` is mgrad's message; `span` is where it points in the source (or None); `source`
    names that source (`<python>`, a file); `formatted` is the diagnostic as the REPL prints it,
    with its caret line. A Session's error also carries the `result` of the run it ended.
    """

    def __init__(self, message: str, span: Optional[Span] = None, source: str = "",
                 formatted: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.source = source
        self.formatted = formatted or message
        self.result: Any = None

    @property
    def line(self) -> Optional[int]:
        return self.span.line if self.span else None

    @property
    def column(self) -> Optional[int]:
        return self.span.column if self.span else None
