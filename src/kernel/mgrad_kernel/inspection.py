"""Shift-Tab: what the word at the cursor is. A bound name shows its node as `:tree` does (the
formula, data and grad, with its parents; the whole graph at the second Shift-Tab) and where it
was made; a command or a function shows its `:help`; an option of a command (`depth=3` in
`:draw L depth=3`) what its spec says: its help and the values it takes. The specs come from the
C++ side (Session.command_spec); no help text is read apart. The word is found by one scan out
from the cursor, and a word longer than any name or option is not looked up.
"""

from __future__ import annotations

import re
from typing import Dict, Optional

from mgrad import Error, Session

_WORD_CHARS = re.compile(r"[A-Za-z0-9_:=.\-]")
# Longer words are no name, command or option anyone typed (and would cost time to look up).
_LONGEST_WORD = 1000


def word_at(code: str, cursor: int) -> tuple:
    """(the blank-delimited word touching the cursor, the statement's first word)."""
    line_start = code.rfind("\n", 0, cursor) + 1
    line_end = code.find("\n", cursor)
    line = code[line_start:len(code) if line_end < 0 else line_end]
    col = cursor - line_start
    # The statement the cursor is in: between `;`s of the line.
    start = line.rfind(";", 0, col) + 1
    end = line.find(";", col)
    statement = line[start:len(line) if end < 0 else end]
    col -= start
    left = col
    while left > 0 and _WORD_CHARS.match(statement[left - 1]):
        left -= 1
    right = col
    while right < len(statement) and _WORD_CHARS.match(statement[right]):
        right += 1
    first = statement.split()[0] if statement.split() else ""
    return statement[left:right], first


class Inspector:
    def __init__(self, session: Session) -> None:
        self.session = session

    def inspect(self, code: str, cursor: int, detail_level: int = 0) -> Dict:
        """The content of an inspect_reply."""
        text = self.describe(code, cursor, detail_level)
        if text is None:
            return {"status": "ok", "found": False, "data": {}, "metadata": {}}
        return {"status": "ok", "found": True, "data": {"text/plain": text}, "metadata": {}}

    def describe(self, code: str, cursor: int, detail_level: int) -> Optional[str]:
        word, first = word_at(code, cursor)
        if not word or len(word) > _LONGEST_WORD or len(first) > _LONGEST_WORD:
            return None
        if first.startswith(":"):
            command = first[1:]
            if word == first:
                return self._help(command)
            if command == "help":
                return self._help(word.lstrip(":"))
            option = self._option(command, word)
            if option:
                return option
        if word.startswith(":"):
            return self._help(word[1:])
        # An expression: the name under the cursor (`a` in `a.grad`, `tanh` in `tanh(x)`).
        name = re.split(r"[^A-Za-z0-9_]", word.lstrip("-=."))[0]
        if name in self.session:
            return self._node(name, detail_level)
        if name in self.session.functions():
            return self._help(name)
        return None

    def _help(self, topic: str) -> Optional[str]:
        if not topic:
            return None
        try:
            return self.session.help(topic, check=True)
        except (UnicodeEncodeError, Error):  # a lone surrogate (JSON's \ud800); no topic
            return None

    def _option(self, command: str, word: str) -> Optional[str]:
        """An option of `command` as its spec describes it: `depth=N  only values … (a whole
        number from 0 to 1000000000)`."""
        try:
            spec = self.session.command_spec(command)
        except UnicodeEncodeError:
            return None
        key = word.split("=")[0].lower()
        for option in spec["options"] if spec else []:
            if option["key"] != key or not option["listed"]:
                continue
            head = f"{key}={option['value_name']}" if option["value_name"] else key
            text = f"{head}  {option['help']}"
            if option["expected"]:
                text += f"\n  takes {option['expected']}"
            if option["repeatable"]:
                text += "; may be given more than once"
            return text
        return None

    def _node(self, name: str, detail_level: int) -> str:
        depth = "" if detail_level > 0 else " 1"
        tree = self.session.run(f":tree {name}{depth}", source="<inspect>", check=False).stdout
        made = ""
        if len(self.session) > 10_000:  # :vars lists every name: too long to wait for here
            return tree
        for table in self.session.run(":vars", source="<inspect>", check=False).tables:
            # Columns by name: :vars also says each name's kind (leaf, constant, function …).
            header = table.rows[0]
            node = header.index("node") if "node" in header else 1
            for row in table.rows[1:]:
                if row[0] == name:
                    made = f"made at {row[-1]}" + (
                        f" (the node labelled {row[node]})"
                        if row[node] and row[node] != name else "") + "\n"
        return tree + made
