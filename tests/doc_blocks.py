#!/usr/bin/env python3
"""Runs the mgrad code blocks of the documentation, so the docs cannot drift from the program.

    doc_blocks.py [--python PYTHON] PATH/TO/mgrad ROOT [FILE.md ...]

Without FILEs it reads ROOT/README.md and ROOT/docs/*.md. A fenced block is run according to
its tag (the first word after the opening fence); blocks with other tags (text, console, sh,
cpp, ...) are illustrations and are left alone:

  ```mgrad          a script, run as `mgrad script.mg`; its exit status must be 0. If the next
                    block (only blank lines between) is tagged `text`, standard output and
                    standard error together must be exactly that block.
  ```mgrad-repl     a REPL transcript: the lines after `>>> ` and `... ` prompts, plus blank
                    lines and comment lines (`# ...`), are the input, read from standard input
                    by `mgrad --echo --keep-going`, which must print exactly the block. As the
                    REPL does, the source is called `<repl>`; and where `--echo` shows each
                    statement of a line `>>> a = 2; b = 3` after its own prompt, the block may
                    show them on one line when only the last one prints something.
  ```mgrad-shell    `$ mgrad ARGS` lines, each followed by the standard output it must print
                    (standard error, where progress goes, is not compared). The lines run one
                    after the other in the same directory. `$ python3 ARGS` runs the Python
                    given by --python (default: python3) and needs PyTorch: without it the block
                    is skipped.

Every block runs in a fresh, empty working directory, so files it writes (`:draw`, `:save`)
land there. HTML comments on the lines just above the opening fence (any number, in any
order; invisible on a rendered page) change how a block is checked:

  <!-- from examples/NAME.out -->  the block (whatever its tag) is a contiguous run of lines of
                                   that file, which the example tests check; it is compared,
                                   not run.
  <!-- exit N -->                  the expected exit status (default 0).
  <!-- file: NAME.mg -->           the name of the script an ```mgrad block is run as (default
                                   block.mg), as diagnostics show it.
  <!-- skip: REASON -->            not run; counted and listed as skipped.
  <!-- setup -->                   on an ```mgrad-repl block: later blocks may continue it.
  <!-- continued -->               on an ```mgrad-repl block: it runs after the statements of
                                   the last `setup` block above it in the same file, as if the
                                   two were one transcript (so several examples can start
                                   from the same session without repeating it).

Every picture a document shows (![...](path)) must exist. Exit status 0 when everything
matched, 1 otherwise, with a unified diff per failing block.
"""
import difflib
import glob
import os
import re
import shlex
import subprocess
import sys
import tempfile

RUN_TAGS = {"mgrad", "mgrad-repl", "mgrad-shell"}
MARKER = re.compile(r"^<!--\s*(from|exit|skip|file|setup|continued)\b:?\s*(.*?)\s*-->\s*$")
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")


class Block:
    def __init__(self, path, line, tag, lines, markers):
        self.path, self.line, self.tag, self.lines, self.markers = path, line, tag, lines, markers
        self.expected = None  # the text block that follows an ```mgrad block
        self.setup = None  # the `setup` block a `continued` one runs after
        self.end = 0

    def where(self):
        return f"{self.path}:{self.line}"


def parse(path):
    """The fenced blocks of a Markdown file, each with the markers just above it."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    blocks, k = [], 0
    while k < len(lines):
        m = re.match(r"^(`{3,})\s*(\S*)", lines[k])
        if not m:
            k += 1
            continue
        fence, tag, start = m.group(1), m.group(2), k
        markers = {}
        j = k - 1
        while j >= 0 and MARKER.match(lines[j]):
            mm = MARKER.match(lines[j])
            markers[mm.group(1)] = mm.group(2)
            j -= 1
        k += 1
        body = []
        while k < len(lines) and not lines[k].startswith(fence):
            body.append(lines[k])
            k += 1
        if k == len(lines):
            raise SystemExit(f"{path}:{start + 1}: the block is not closed")
        k += 1
        blocks.append(Block(path, start + 1, tag, body, markers))
        blocks[-1].end = k  # the line after the closing fence (0-based)
    setup = None
    for b in blocks:
        b.setup = setup
        if "setup" in b.markers:
            setup = b
    # Pair each ```mgrad block with a ```text block that follows it after blank lines only.
    for a, b in zip(blocks, blocks[1:]):
        if a.tag == "mgrad" and b.tag == "text":
            between = lines[a.end:b.line - 1]
            if all(not s.strip() for s in between):
                a.expected = b.lines
    return blocks


def run(cmd, cwd, stdin=None, merge=True):
    """Exit status and the standard output of cmd, with its standard error when merge."""
    p = subprocess.run(cmd, cwd=cwd, input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT if merge else subprocess.DEVNULL, timeout=300)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def transcript_input(lines):
    """The statements of a transcript: prompted lines, blank lines and comments."""
    out = []
    for s in lines:
        if s.startswith(">>> ") or s.startswith("... "):
            out.append(s[4:])
        elif s in (">>>", "..."):
            out.append("")
        elif not s.strip() or s == "#" or s.startswith("# "):
            out.append(s)
    return out


def split_statements(line):
    """The statements of one input line, split at `;` outside double quotes and comments."""
    parts, start, quoted = [], 0, False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == "#" and not quoted:
            break
        elif ch == ";" and not quoted:
            parts.append(line[start:i])
            start = i + 1
    parts.append(line[start:])
    return [p.strip() for p in parts if p.strip()]


def as_echoed(lines):
    """A transcript as `--echo` prints it: one prompt per statement."""
    out = []
    for s in lines:
        if s.startswith(">>> ") and ";" in s:
            out += [">>> " + p for p in split_statements(s[4:])]
        else:
            out.append(s)
    return out


def diff(expected, actual, where):
    return "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                        f"{where} (the document)", "mgrad's output"))


def has_torch(python):
    try:
        return subprocess.run([python, "-c", "import torch"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=120).returncode == 0
    except OSError:
        return False


def check(block, mgrad, root, python):
    """None when the block matches, otherwise a message."""
    text = "\n".join(block.lines) + "\n"
    status_wanted = int(block.markers.get("exit", "0") or 0)
    if "from" in block.markers:
        source = os.path.join(root, block.markers["from"])
        with open(source, encoding="utf-8") as f:
            have = f.read().split("\n")
        n = len(block.lines)
        if any(have[i:i + n] == block.lines for i in range(len(have) - n + 1)):
            return None
        best = max(range(len(have)), key=lambda i: sum(
            a == b for a, b in zip(have[i:i + n], block.lines)), default=0)
        return (f"the block is not a part of {block.markers['from']}:\n"
                + diff(text, "\n".join(have[best:best + n]) + "\n", block.where()))
    with tempfile.TemporaryDirectory(prefix="mgrad-doc-") as work:
        if block.tag == "mgrad":
            name = block.markers.get("file") or "block.mg"
            with open(os.path.join(work, name), "w", encoding="utf-8") as f:
                f.write(text)
            status, out = run([mgrad, name], work)
            expected = None if block.expected is None else "\n".join(block.expected) + "\n"
        elif block.tag == "mgrad-repl":
            lines = block.lines
            if "continued" in block.markers:
                if block.setup is None:
                    return "a 'continued' block without a 'setup' block above it"
                lines = block.setup.lines + lines
            source = "\n".join(transcript_input(lines)) + "\n"
            status, out = run([mgrad, "--echo", "--keep-going"], work, stdin=source.encode())
            out = out.replace("<stdin>", "<repl>")
            expected = "\n".join(as_echoed(lines)) + "\n"
        else:  # mgrad-shell
            expected, out, status = "", "", 0
            for s in block.lines:
                if s.startswith("$ "):
                    args = shlex.split(s[2:])
                    if args and args[0] == "python3":
                        program = python
                    elif args and args[0] == "mgrad":
                        program = mgrad
                    else:
                        return f"only mgrad and python3 can be run here: {s}"
                    expected += s + "\n"
                    st, o = run([program] + args[1:], work, stdin=b"", merge=False)
                    status = status or st
                    out += s + "\n" + o
                else:
                    expected += s + "\n"
            # Trailing blank lines of the block are not output.
            expected, out = expected.rstrip("\n") + "\n", out.rstrip("\n") + "\n"
    problems = []
    if status != status_wanted:
        problems.append(f"exit status {status}, expected {status_wanted}")
    if expected is not None and out != expected:
        problems.append(diff(expected, out, block.where()))
    elif expected is None and status != status_wanted:
        problems.append(out)
    return "\n".join(problems) or None


def main():
    argv = sys.argv[1:]
    python = "python3"
    if argv[:1] == ["--python"] and len(argv) > 1:
        python, argv = argv[1], argv[2:]
    if len(argv) < 2:
        raise SystemExit(__doc__)
    mgrad, root = os.path.abspath(argv[0]), os.path.abspath(argv[1])
    torch = None  # asked the first time a block needs it
    files = argv[2:] or [os.path.join(root, "README.md")] + sorted(
        glob.glob(os.path.join(root, "docs", "*.md")))
    ran = skipped = failed = 0
    for path in files:
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                for target in IMAGE.findall(line):
                    if "://" in target:
                        continue
                    if not os.path.exists(os.path.join(os.path.dirname(path), target)):
                        print(f"{rel}:{n}: the picture {target} does not exist")
                        failed += 1
        for block in parse(path):
            block.path = rel
            if block.tag not in RUN_TAGS and "from" not in block.markers:
                continue
            if "skip" in block.markers:
                skipped += 1
                print(f"{block.where()}: skipped ({block.markers['skip']})")
                continue
            if block.tag == "mgrad-shell" and any(s.startswith("$ python3") for s in block.lines):
                if torch is None:
                    torch = has_torch(python)
                if not torch:
                    skipped += 1
                    print(f"{block.where()}: skipped ({python} has no PyTorch)")
                    continue
            ran += 1
            problem = check(block, mgrad, root, python)
            if problem:
                failed += 1
                print(f"{block.where()}: {block.tag} block failed: {problem}")
    print(f"{ran} blocks run, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
