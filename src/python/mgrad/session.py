"""mgrad.Session: the mgrad language from Python, its output as Python objects.

    s = Session()
    r = s.run("a = 2; b = -3; c = 10; f = -2\\nL = (a*b + c) * f\\n:backward L\\n:grad L")
    r.tables[0].rows      # [['node', 'data', 'grad'], ['a', '2', '6'], …]
    s["L"].grad           # 1.0 — a Value on the session's graph

A run yields events in order: Text, Result, Table, Diagnostic and FileWritten objects (and
Picture objects in a session made with pictures=True); a front end such as a notebook kernel
maps each to its own kind of message.
"""

from __future__ import annotations

import html
import json
import os
import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator, List, NamedTuple, Optional, Union

from . import _core
from ._core import Value
from .errors import Error, Span

__all__ = ["Session", "RunResult", "Text", "Result", "Table", "Diagnostic", "FileWritten",
           "Picture", "Command", "Completion", "Candidate"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _utf8(text):
    """A str as UTF-8 for the native half. A lone surrogate (which no UTF-8 text holds) raises
    UnicodeEncodeError, a ValueError, instead of pybind11's TypeError about the signature."""
    return text.encode("utf-8") if isinstance(text, str) else text


def _is_name(name: object) -> bool:
    """Whether `name` could be bound (no lookup needed for anything else)."""
    return isinstance(name, str) and _NAME.match(name) is not None


@dataclass(frozen=True)
class Text:
    """Text for the user: help, messages, echoed statements, plots drawn in characters."""
    text: str


@dataclass(frozen=True)
class Result:
    """The value of a bare expression: `L` → label 'L', data -8.0, grad 1.0; `2*3` → label
    None, grad None. `text` is the line the REPL prints."""
    text: str
    expression: str
    label: Optional[str]
    data: float
    grad: Optional[float]


@dataclass(frozen=True)
class Table:
    """A table (`:grad`, `:vars`): rows[0] is the header; `align` has 'l' or 'r' per column;
    `text` is the table as the REPL prints it."""
    text: str
    rows: List[List[str]]
    align: str

    @property
    def header(self) -> List[str]:
        return self.rows[0]

    def _repr_html_(self) -> str:
        def row(cells: List[str], tag: str) -> str:
            return "<tr>" + "".join(
                f'<{tag} style="text-align:{"right" if a == "r" else "left"}">'
                f"{html.escape(c)}</{tag}>" for c, a in zip(cells, self.align)) + "</tr>"
        body = "".join(row(r, "td") for r in self.rows[1:])
        return f"<table><thead>{row(self.rows[0], 'th')}</thead><tbody>{body}</tbody></table>"


@dataclass(frozen=True)
class Diagnostic:
    """An error or a warning. `text` is the REPL's form (`<python>:1:5: error: …` and a caret
    line); `span` points into the source (None for messages about no place in it)."""
    text: str
    severity: str  # 'error', 'warning' or 'note'
    message: str
    source: str
    span: Optional[Span]
    # An error about an argument, as data: {"argument": "depth", "expected": "a whole number
    # from 0 to 17", "suggestions": [...], "fixes": ["depth=3", ...]}; None for other errors.
    detail: Optional[dict] = None
    # `text` with a terminal's colours (ANSI escapes), as the REPL prints it on a terminal: what
    # a notebook shows, so that no front end reads the parts of `text` back to colour them.
    styled: str = ""

    @property
    def line(self) -> Optional[int]:
        return self.span.line if self.span else None

    @property
    def column(self) -> Optional[int]:
        return self.span.column if self.span else None


@dataclass(frozen=True)
class FileWritten:
    """A file a command wrote (`:draw`, `:plot`, `:trace NAME DIR`, `:save`, `:export`), as
    the user named it (relative to the working directory)."""
    path: str
    format: str  # 'svg', 'png', 'pdf', 'dot', 'json', 'mg', 'py'

    @property
    def is_picture(self) -> bool:
        return self.format in ("svg", "png", "pdf")


@dataclass(frozen=True)
class Picture:
    """A picture a command drew in memory, in a session made with pictures=True: `:draw NAME`
    without a file, `:plot` without a file, `:trace NAME frames`, `:minimize … plot`. Jupyter
    shows it inline."""
    format: str  # 'svg' or 'png'
    data: bytes
    caption: str  # one line: what it shows

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        if self.format == "svg":
            return {"image/svg+xml": self.data.decode(), "text/plain": self.caption}
        return {"image/png": self.data, "text/plain": self.caption}


Event = Union[Text, Result, Table, Diagnostic, FileWritten, Picture]


def _event(raw: tuple) -> Event:
    kind = raw[0]
    if kind == "text":
        return Text(raw[1])
    if kind == "result":
        return Result(*raw[1:])
    if kind == "table":
        return Table(raw[1], raw[2], raw[3])
    if kind == "diagnostic":
        return Diagnostic(*raw[1:])
    if kind == "picture":
        return Picture(raw[1], raw[2], raw[3])
    return FileWritten(raw[1], raw[2])


@dataclass
class RunResult:
    """What one run produced. `ok` is False when a statement failed; `interrupted` when Ctrl-C
    (or Session.interrupt()) stopped it."""
    ok: bool
    interrupted: bool
    events: List[Event] = field(default_factory=list)

    @property
    def results(self) -> List[Result]:
        return [e for e in self.events if isinstance(e, Result)]

    @property
    def tables(self) -> List[Table]:
        return [e for e in self.events if isinstance(e, Table)]

    @property
    def diagnostics(self) -> List[Diagnostic]:
        return [e for e in self.events if isinstance(e, Diagnostic)]

    @property
    def errors(self) -> List[Diagnostic]:
        return [e for e in self.events if isinstance(e, Diagnostic) and e.severity == "error"]

    @property
    def files(self) -> List[FileWritten]:
        return [e for e in self.events if isinstance(e, FileWritten)]

    @property
    def pictures(self) -> List[Picture]:
        return [e for e in self.events if isinstance(e, Picture)]

    @property
    def stdout(self) -> str:
        """What the REPL prints on standard output."""
        return "".join(e.text for e in self.events if isinstance(e, (Text, Result, Table)))

    @property
    def stderr(self) -> str:
        """What the REPL prints on standard error (diagnostics)."""
        return "".join(e.text for e in self.diagnostics)

    def __str__(self) -> str:
        return "".join(e.text for e in self.events if not isinstance(e, (FileWritten, Picture)))


class Candidate(NamedTuple):
    text: str  # the whole word: 'depth=', 'examples/', ':draw'
    kind: str  # 'command', 'name', 'constant', 'function', 'attribute', 'option', 'value',
    #            'file', 'directory', 'keyword' or 'topic'


class Completion(NamedTuple):
    start: int  # where the word being completed starts, in characters of the text
    candidates: List[Candidate]


class Command(NamedTuple):
    name: str     # without the colon: 'grad'
    usage: str    # ':grad [NAME]'
    summary: str  # one line
    help: str     # the long help


class Session:
    """An mgrad session: its own graph, names bound to nodes, every command of the REPL.

    keep_going: report every failing statement of a run and go on (default: stop at the
    first). echo: print each statement before its output. max_nodes: refuse a statement that
    would grow the graph past this many nodes (0: no cap). pictures: commands draw in memory
    where no file is named and the run returns Picture events (a notebook's way); otherwise
    they ask for a file. allow_write: directories beyond the current one that scripts (run_file,
    `:load`, run(script=True)) may write files into; text run() is given as the program's own
    writes anywhere.
    """

    def __init__(self, *, keep_going: bool = False, echo: bool = False,
                 max_nodes: int = 1_000_000, pictures: bool = False,
                 allow_write: Iterable[str] = ()) -> None:
        self._core = _core.Session(keep_going, echo, max_nodes, pictures)
        self._core.allow_write = [os.path.abspath(os.fspath(d)) for d in allow_write]

    # --- running ---------------------------------------------------------------------------

    def run(self, text: str, *, source: str = "<python>", first_line: int = 1,
            check: bool = True, script: bool = False) -> RunResult:
        """Runs the statements and commands of `text`, as the REPL or a script would.

        script=True: the text is not the program's own (a notebook's cell, a file's contents)
        and may write files only inside the current directory and allow_write, as a script.

        With check=True (the default) a failing statement raises mgrad.Error (its message,
        span and caret form, and `.result` with what the run printed before) and an
        interrupted run raises KeyboardInterrupt (also with `.result`). With check=False
        both come back in the RunResult. After `:quit` nothing runs: run() raises mgrad.Error.
        """
        ok, interrupted, events = self._core.run(_utf8(text), _utf8(source), first_line, script)
        return self._finish(RunResult(ok, interrupted, [_event(e) for e in events]), check)

    def run_file(self, path: str, *, check: bool = True) -> RunResult:
        """Runs a script file (`:load` does the same)."""
        ok, interrupted, events = self._core.run_file(str(path))
        return self._finish(RunResult(ok, interrupted, [_event(e) for e in events]), check)

    def _finish(self, result: RunResult, check: bool) -> RunResult:
        if check and result.interrupted:
            exc = KeyboardInterrupt()
            exc.result = result  # type: ignore[attr-defined]
            raise exc
        if check and not result.ok:
            first = result.errors[0] if result.errors else None
            if first is not None:
                err = Error(first.message, first.span, first.source, first.text)
            else:
                err = Error("the run failed")
            err.result = result
            raise err
        return result

    def interrupt(self) -> None:
        """Asks a run in progress (in another thread) to stop, as Ctrl-C does."""
        self._core.interrupt()

    # --- names -----------------------------------------------------------------------------

    def __getitem__(self, name: str) -> Value:
        if not _is_name(name):
            raise KeyError(name)
        value = self._core.lookup(name)
        if value is None:
            try:
                self._core.require(name)  # for its message, which suggests similar names
            except Error as e:
                raise KeyError(e.message) from None
            raise KeyError(name)
        return value

    def get(self, name: str, default: Optional[Value] = None) -> Optional[Value]:
        value = self._core.lookup(name) if _is_name(name) else None
        return default if value is None else value

    def __setitem__(self, name: str, value: Union[Value, float, int]) -> None:
        """s['a'] = 2 runs `a = 2`, and s['b'] = s['a'] runs `b = a`, so that :save keeps them
        (NaN and the infinities, which have no literal, are written `0/0`, `1/0`, `-1/0`). A
        Value must be bound to a name of the session: compute new ones with its statements,
        s.run('y = a * 10')."""
        # The name is checked first: it is written into the statement run below, and anything
        # but a name would be parsed as script text (`s["x\n:save f"] = 1` ran `:save f`).
        if not isinstance(name, str):
            raise TypeError(f"a session name is a str, not {type(name).__name__}")
        if not _is_name(name):
            raise Error(f"{name!r} is not a name (letters, digits and _, not first a digit)")
        if isinstance(value, Value):
            self._core.bind(name, value)
            return
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"a session name is bound to a Value or a number, not "
                            f"{type(value).__name__}")
        self._core.assign(name, float(value))

    def __contains__(self, name: object) -> bool:
        return _is_name(name) and self._core.lookup(name) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._core.names())

    def __len__(self) -> int:
        return len(self._core.names())

    def names(self) -> List[str]:
        """Bound names, in the order they were first bound."""
        return self._core.names()

    # --- help and completion ---------------------------------------------------------------

    @staticmethod
    def is_incomplete(text: str) -> bool:
        """True when `text` ends inside parentheses or after an operator: the REPL would ask
        for another line."""
        return _core.Session.is_incomplete(_utf8(text))

    def completions(self, prefix: str) -> List[str]:
        """Completions of the start of a word: commands (when it starts with ':'), bound names
        and functions; sorted, without duplicates (the REPL's Tab)."""
        return self._core.completions(_utf8(prefix))

    def complete(self, text: str) -> Completion:
        """What may complete the word that ends `text` (a cell up to the cursor), as every
        front end completes: in a command, exactly the words its spec allows there."""
        start, candidates = self._core.complete(_utf8(text))
        # `start` counts UTF-8 bytes; the caller counts characters.
        prefix = text.encode("utf-8", "surrogatepass")[:start].decode("utf-8", "replace")
        return Completion(len(prefix), [Candidate(t, k) for t, k in candidates])

    def command_specs(self) -> List[dict]:
        """Every command's spec (its arguments and options with their kinds, ranges, choices
        and help), as the C++ side describes them: what completion, inspection and the page
        read instead of the help text."""
        return json.loads(self._core.describe_commands())["commands"]

    def command_spec(self, typed: str) -> Optional[dict]:
        """The spec of the command `typed` means (`draw`, `:dr`, `q`), or None."""
        if not isinstance(typed, str):
            raise TypeError(f"command_spec() takes a str, not {type(typed).__name__}")
        name = self._core.resolve_command(_utf8(typed.lstrip(":")))
        return next((c for c in self.command_specs() if c["name"] == name), None)

    def help(self, topic: str = "", *, check: bool = False) -> str:
        """What `:help TOPIC` prints (`:help` alone lists everything). A topic there is no help
        on gives the error as `:help` prints it, or with check=True raises mgrad.Error."""
        ok, _, events = self._core.run_command("help", [_utf8(topic)] if topic else [])
        result = self._finish(RunResult(ok, False, [_event(e) for e in events]), check)
        if not ok:
            return result.stderr
        return result.stdout

    def commands(self) -> List[Command]:
        """Every command, sorted by name."""
        return [Command(*c) for c in self._core.commands()]

    def functions(self) -> List[str]:
        """Functions a formula may call (the built-in ops and e.g. grad)."""
        return self._core.functions()

    # --- state -----------------------------------------------------------------------------

    def reset(self) -> None:
        """Forgets every name and node (`:reset`). Values taken from the session before are
        stale afterwards: using one raises mgrad.Error."""
        self._core.reset()

    @property
    def transcript(self) -> str:
        """The statements that succeeded, as `:save` writes them."""
        return self._core.transcript

    @property
    def node_count(self) -> int:
        return self._core.node_count

    @property
    def quit_requested(self) -> bool:
        """True after `:quit`; from then on run(), run_file() and help() raise mgrad.Error."""
        return self._core.quit_requested

    @property
    def keep_going(self) -> bool:
        return self._core.keep_going

    @keep_going.setter
    def keep_going(self, value: bool) -> None:
        self._core.keep_going = value

    @property
    def echo(self) -> bool:
        return self._core.echo

    @echo.setter
    def echo(self, value: bool) -> None:
        self._core.echo = value

    @property
    def max_nodes(self) -> int:
        return self._core.max_nodes

    @max_nodes.setter
    def max_nodes(self, value: int) -> None:
        self._core.max_nodes = value

    def __repr__(self) -> str:
        return f"<mgrad Session: {len(self)} names, {self.node_count} nodes>"
