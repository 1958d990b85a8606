"""draw_dot: the lecture's picture of a Value's graph, drawn in-process by mgrad's renderer
(Graphviz's libraries; no `graphviz` Python package, no `dot` executable)."""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Union

from . import _core
from ._core import Value

__all__ = ["draw_dot", "Drawing"]

_FORMATS = ("svg", "png", "pdf", "dot", "json")


def _words(rankdir: str, options: Dict[str, Any]) -> List[str]:
    """:draw's option words from keyword arguments: hide_constants=True → 'hide-constants',
    depth=3 → 'depth=3', cluster=['w', 'b'] → 'cluster=w cluster=b', legend=False →
    'no-legend'."""
    direction = str(rankdir).lower()
    if direction not in ("lr", "tb"):
        raise ValueError(f"draw_dot: rankdir must be 'LR' or 'TB', not {rankdir!r}")
    words = [direction]
    for key, value in options.items():
        word = key.replace("_", "-")
        if word == "legend":
            if not value:
                words.append("no-legend")
        elif isinstance(value, bool):
            if value:
                words.append(word)
        elif isinstance(value, (list, tuple)):
            words.extend(f"{word}={v}" for v in value)
        elif value is not None:
            words.append(f"{word}={value}")
    return words


class Drawing:
    """A rendered picture. Jupyter shows it inline; `save()` / `render()` write it to a file.

    `data` holds the bytes (SVG, DOT and JSON are UTF-8 text), `format` their format. The
    picture is the graph as it was when drawn: redraw after changing values.
    """

    def __init__(self, root: Value, data: bytes, format: str, words: List[str]) -> None:
        self.root = root
        self.data = data
        self.format = format
        self._words = words

    def _repr_svg_(self) -> Optional[str]:
        return self.data.decode() if self.format == "svg" else None

    def _repr_png_(self) -> Optional[bytes]:
        return self.data if self.format == "png" else None

    def _repr_mimebundle_(self, include=None, exclude=None) -> Dict[str, Union[str, bytes]]:
        if self.format == "svg":
            return {"image/svg+xml": self.data.decode()}
        if self.format == "png":
            return {"image/png": self.data}
        if self.format == "pdf":
            return {"application/pdf": self.data, "text/plain": repr(self)}
        return {"text/plain": self.data.decode()}

    @property
    def source(self) -> str:
        """The picture's text (SVG, DOT or JSON)."""
        if self.format not in ("svg", "dot", "json"):
            raise ValueError(f"a {self.format} drawing is binary; see .data")
        return self.data.decode()

    def save(self, filename: Union[str, bytes, os.PathLike]) -> Union[str, bytes]:
        """Writes the picture to `filename` and returns its path. The format follows the file's
        extension; when it differs from this drawing's, the graph is drawn again in it (with
        the values it holds now). Written as mgrad writes every file: to a hidden temporary
        beside the target, then renamed over it, so the target is the old file or the whole
        new one; only a regular file is replaced (a link to one is followed), and a directory,
        a FIFO or a device is refused (mgrad.Error), leaving nothing behind."""
        path = os.fspath(filename)
        text = os.fsdecode(path)
        ext = os.path.splitext(text)[1].lower().lstrip(".")
        ext = {"gv": "dot"}.get(ext, ext)
        data = self.data
        if ext and ext != self.format:
            if ext not in _FORMATS:
                raise ValueError(f"cannot draw to {text!r}: use .svg, .png, .pdf, .dot or .json")
            data = _core.render(self.root, ext, self._words)
        elif not ext:
            suffix = f".{self.format}"
            path = path + (suffix.encode() if isinstance(path, bytes) else suffix)
        _core.write_file(os.fsencode(path), data)
        return path

    def render(self, filename: Union[str, os.PathLike] = "graph", format: Optional[str] = None,
               **_ignored: Any) -> str:
        """graphviz.Digraph's spelling: render('gout') writes gout.svg (this drawing's format,
        or `format`)."""
        path = os.fspath(filename)
        if format is not None:
            if not os.path.splitext(path)[1]:
                path = f"{path}.{format}"
        return self.save(path)

    def __repr__(self) -> str:
        return f"<mgrad Drawing: {self.format}, {len(self.data)} bytes>"


def draw_dot(root: Value, format: str = "svg", rankdir: str = "LR", **options: Any) -> Drawing:
    """Draws everything `root` depends on, micrograd's way: one record per Value
    `{ label | data | grad }`, one small node per op.

    format: 'svg' (default), 'png', 'pdf', 'dot' or 'json'. rankdir: 'LR' or 'TB'.
    Options as :draw has them, with underscores: decimals=4, hide_constants=True, depth=3,
    cluster='w' (or a list), cluster_modules=True, collapse_modules=True, max_nodes=1500,
    shade=True, legend=False. Raises mgrad.Error for an unknown option or a graph too large to
    lay out (it says which option to use).
    """
    fmt = str(format).lower()
    if fmt not in _FORMATS:
        raise ValueError(f"draw_dot: unknown format {format!r} (svg, png, pdf, dot or json)")
    words = _words(rankdir, options)
    return Drawing(root, _core.render(root, fmt, words), fmt, words)
