"""Tab completion in a notebook cell of mgrad's language (the kernel's and `%%mgrad` cells'),
from the session's own completion (what the REPL's Tab offers: commands, bound names,
functions) and `:help draw` (the drawing options), chosen by where the cursor is: the command
word, a command's argument, an expression, or `name.`.
"""

from __future__ import annotations

import os
import string
from typing import Dict, List, Optional, Tuple

from .session import Session

_NAME_START = frozenset(string.ascii_letters + "_")
_NAME_CHARS = _NAME_START | frozenset(string.digits)

# Commands whose arguments are files (relative to the notebook's directory), and the position
# of that argument.
_FILE_ARGUMENT = {"load": 0, "save": 0, "draw": 1, "export": 1}
# Words some commands accept besides names.
_KEYWORDS = {"trace": ["frames"], "minimize": ["steps=", "lr=", "plot", "plot="],
             "step": ["lr="], "export": ["torch"]}


def statement_before(code: str, cursor: int) -> str:
    """The text of the statement the cursor is in, up to the cursor: from the start of its
    line or the last `;` outside quotes (a command ends at either)."""
    line = code[:cursor].rsplit("\n", 1)[-1]
    start, quoted = 0, False
    for i, c in enumerate(line):
        if c == '"':
            quoted = not quoted
        elif c == ";" and not quoted:
            start = i + 1
        elif c == "#" and not quoted:
            return ""  # in a comment
    return line[start:]


# The word before the cursor is found by walking back from the cursor: each character is looked
# at once or twice. (A regular expression ending in \Z searched from every start was quadratic:
# a 60,000-character word took 8.7 s and held every other cell.)


def _run_start(text: str, end: int, chars: frozenset) -> int:
    """Where the run of `chars` that ends at `end` begins."""
    start = end
    while start > 0 and text[start - 1] in chars:
        start -= 1
    return start


def name_before(text: str, end: int) -> str:
    """The name that ends at `end` ('' if none): the name characters before it, from the first
    letter or '_' among them."""
    start = _run_start(text, end, _NAME_CHARS)
    while start < end and text[start] not in _NAME_START:
        start += 1
    return text[start:end]


def attribute_tail(statement: str) -> Optional[Tuple[str, str]]:
    """(name, the attribute typed so far) when the statement ends in `name.` or `name.gr`."""
    dot = _run_start(statement, len(statement), _NAME_START) - 1
    if dot < 0 or statement[dot] != ".":
        return None
    name = name_before(statement, dot)
    return (name, statement[dot + 1:]) if name else None


def command_words(statement: str) -> Optional[Tuple[str, List[str], str]]:
    """For a command statement: (command without ':', finished argument words, the word being
    typed). None when the statement is not a command."""
    text = statement.lstrip()
    if not text.startswith(":"):
        return None
    words = text.split()
    if text[-1:].isspace() or not words:
        words.append("")
    return words[0][1:], words[1:-1], words[-1]


class Completer:
    """Completions for one session; the drawing options are read from `:help draw` once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._draw_options: Optional[List[str]] = None

    def draw_options(self) -> List[str]:
        """`lr`, `tb`, `decimals=` … as the option lines of `:help draw` start."""
        if self._draw_options is None:
            options: List[str] = []
            lines = self.session.help("draw").splitlines()
            if "Options:" in lines:
                for line in lines[lines.index("Options:") + 1:]:
                    if not line.startswith("  "):
                        break
                    word = line.split()[0]
                    options.append(word.split("=")[0] + "=" if "=" in word else word)
            self._draw_options = options
        return self._draw_options

    def completions(self, prefix: str) -> List[str]:
        """The session's completions of `prefix`; none for a prefix with a lone surrogate
        (which JSON's \\ud800 can carry, and no name or command holds)."""
        try:
            return self.session.completions(prefix)
        except UnicodeEncodeError:
            return []

    def names(self, prefix: str) -> List[Tuple[str, str]]:
        functions = set(self.session.functions())
        return [(c, "function" if c in functions else "name")
                for c in self.completions(prefix) if not c.startswith(":")]

    def complete(self, code: str, cursor: int) -> Dict:
        """The content of a complete_reply."""
        matches: List[Tuple[str, str]] = []
        start = cursor
        statement = statement_before(code, cursor)
        command = command_words(statement)
        if command is not None:
            name, args, word = command
            start = cursor - len(word)
            if not args and statement.lstrip() == ":" + name:  # the command word itself
                matches = [(c, "command") for c in self.completions(":" + name)]
            else:
                matches = self._argument(name, len(args), word)
        else:
            attribute = attribute_tail(statement)
            if attribute:
                name, typed = attribute
                start = cursor - len(typed)
                if name in self.session:
                    matches = [(a, "attribute") for a in ("data", "grad") if a.startswith(typed)]
            else:
                word = name_before(statement, len(statement))
                start = cursor - len(word)
                if word or statement.strip() == "" or statement.rstrip()[-1:] in "=(+-*/^,":
                    matches = self.names(word)
        return {
            "status": "ok",
            "matches": [m for m, _ in matches],
            "cursor_start": start,
            "cursor_end": cursor,
            "metadata": {"_jupyter_types_experimental": [
                {"start": start, "end": cursor, "text": m, "type": t} for m, t in matches]},
        }

    def _argument(self, command: str, position: int, word: str) -> List[Tuple[str, str]]:
        if command == "help":
            topics = [(c[1:], "command") for c in self.session.completions(":")]
            topics += [(f, "function") for f in self.session.functions()] + [("syntax", "topic")]
            return [(t, k) for t, k in topics if t.startswith(word)]
        out: List[Tuple[str, str]] = []
        if command == "draw" and position >= 1:
            out += [(o, "option") for o in self.draw_options() if o.startswith(word)]
        if _FILE_ARGUMENT.get(command) == position:
            out += [(f, "path") for f in files(word)]
        if command in ("load", "save"):
            return out
        out += [(k, "keyword") for k in _KEYWORDS.get(command, []) if k.startswith(word)]
        if command == "draw" and position >= 1:
            return out
        return out + self.names(word)


def files(word: str) -> List[str]:
    """File and directory names (directories with a '/') that complete `word`, relative to the
    working directory (the notebook's)."""
    directory, _, stem = word.rpartition("/")
    try:
        entries = sorted(os.listdir(directory or "."))
    except (OSError, ValueError):  # ValueError: a NUL byte or a lone surrogate in the word
        return []
    out = []
    for entry in entries:
        if not entry.startswith(stem) or (entry.startswith(".") and not stem.startswith(".")):
            continue
        path = f"{directory}/{entry}" if directory else entry
        out.append(path + "/" if os.path.isdir(path) else path)
    return out
