#!/usr/bin/env python3
"""Fails when an #include points the wrong way between mgrad's layers (docs/architecture.md).

Each file under include/mgrad/LAYER/ and src/LAYER/ belongs to LAYER. A file may include
headers of its own layer and of the layers listed for it in ALLOWED; the front ends (cli, view,
python, kernel, page) never include each other, except that the cli hosts the view through the view's
public header. Public headers (include/) may include only public headers. The Python front ends
follow the same rule for their imports: the Jupyter kernel (mgrad_kernel) may use the Python
package (mgrad), never the other way, and no layer below the front ends holds Python. Run with
the source root as the argument; prints every offending include or import and exits 1 if there
is one.
"""
import ast
import pathlib
import re
import sys

LIBRARY = ["support", "engine", "nn", "render", "plot", "language", "commands"]
ALLOWED = {
    "support": set(),
    "engine": {"support"},
    "nn": {"support", "engine"},
    "render": {"support", "engine"},
    "plot": {"support"},
    "language": {"support", "engine"},
    "commands": {"support", "engine", "nn", "render", "plot", "language"},
    # front ends: the whole library, never each other (the cli starts the view's server)
    "cli": set(LIBRARY) | {"top", "view:public"},
    "view": set(LIBRARY) | {"top"},
    "python": set(LIBRARY) | {"top"},
    "kernel": set(LIBRARY) | {"top"},
    "page": set(LIBRARY) | {"top"},
    # the umbrella header mgrad/mgrad.hpp and mgrad/version.hpp
    "top": set(LIBRARY),
}
# The Python packages of the front ends, by import name, and what each may import of the others.
PY_PACKAGES = {"mgrad": "python", "mgrad_kernel": "kernel"}
PY_ALLOWED = {"python": set(), "kernel": {"python"}}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def layer_of(path: pathlib.Path, root: pathlib.Path):
    rel = path.relative_to(root).parts
    if rel[0] == "include" and rel[1] == "mgrad":
        return ("top" if len(rel) == 3 else rel[2]), True
    if rel[0] == "src":
        return rel[1], False
    return None, False


def target_of(spec: str, quoted: bool, including: pathlib.Path, root: pathlib.Path):
    """(layer, public) of an included mgrad header, or None for system/third-party headers."""
    parts = spec.split("/")
    if parts[0] == "mgrad":
        if len(parts) == 2:
            return "top", True
        return parts[1], True
    if not quoted:
        return None
    # a quoted include relative to the including file, or to src/ (the library's private path)
    for base in (including.parent, root / "src"):
        candidate = (base / spec).resolve()
        if candidate.exists():
            layer, public = layer_of(candidate, root)
            return (layer, public) if layer else None
    return None


def self_test() -> int:
    """The checker must catch each kind of wrong include in a small made-up tree."""
    import tempfile
    bad = {
        "src/engine/a.cpp": '#include "mgrad/language/session.hpp"',   # engine -> language
        "src/cli/b.cpp": '#include "../view/server.hpp"',                # front end -> front end
        "include/mgrad/nn/c.hpp": '#include "commands/util.hpp"',       # public -> private
        "src/python/mgrad/d.py": "from mgrad_kernel import messages",  # package -> kernel
        "src/engine/e.py": "import os",                                 # Python below a front end
    }
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        for name, text in bad.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text + "\n")
        for name in ("include/mgrad/language/session.hpp", "src/view/server.hpp",
                     "src/commands/util.hpp"):
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text("\n")
        problems = check(root)
    expected = ["layer 'engine' may not depend on 'language'",
                "layer 'cli' may not depend on 'view'",
                "a public header includes a private one",
                "front end 'python' may not import 'mgrad_kernel'",
                "layer 'engine' has Python"]
    missing = [e for e in expected if not any(e in p for p in problems)]
    for m in missing:
        print(f"self-test: the checker did not report: {m}")
    return 1 if missing else 0


def main() -> int:
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    root = pathlib.Path(sys.argv[1]).resolve()
    problems = check(root)
    if problems:
        print(f"{len(problems)} include(s) against the layering (docs/architecture.md)")
        return 1
    print("every include follows the layering")
    return 0


def check(root: pathlib.Path) -> list:
    problems = []
    files = [p for d in ("include/mgrad", "src") for p in (root / d).rglob("*")
             if p.suffix in (".hpp", ".cpp", ".h", ".inc")]
    for path in sorted(files):
        layer, public = layer_of(path, root)
        if layer is None:
            continue
        if layer not in ALLOWED:
            problems.append(f"{path.relative_to(root)}: folder '{layer}' is not a known layer "
                            "(add it to tests/architecture/check_layers.py and "
                            "docs/architecture.md)")
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in INCLUDE.finditer(text):
            target = target_of(m.group(2), m.group(1) == '"', path, root)
            if target is None:
                continue
            to_layer, to_public = target
            line = text.count("\n", 0, m.start()) + 1
            where = f"{path.relative_to(root)}:{line}: includes {m.group(2)}"
            if public and not to_public:
                problems.append(f"{where}: a public header includes a private one")
            if to_layer == layer:
                continue
            allowed = ALLOWED[layer]
            if to_layer in allowed or (to_public and f"{to_layer}:public" in allowed):
                continue
            problems.append(f"{where}: layer '{layer}' may not depend on '{to_layer}'")
    problems += check_python(root)
    for p in problems:
        print(p)
    return problems


def check_python(root: pathlib.Path) -> list:
    """The imports of the Python front ends (src/python, src/kernel, …)."""
    problems = []
    for path in sorted((root / "src").rglob("*.py")):
        layer = path.relative_to(root / "src").parts[0]
        where = path.relative_to(root)
        if layer not in PY_ALLOWED:
            if layer in LIBRARY:
                problems.append(f"{where}: layer '{layer}' has Python (only front ends do)")
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except SyntaxError as e:
            problems.append(f"{where}: cannot be parsed: {e}")
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                to_layer = PY_PACKAGES.get(name.split(".")[0])
                if to_layer is None or to_layer == layer or to_layer in PY_ALLOWED[layer]:
                    continue
                problems.append(f"{where}:{node.lineno}: front end '{layer}' may not import "
                                f"'{name.split('.')[0]}'")
    return problems


if __name__ == "__main__":
    sys.exit(main())
