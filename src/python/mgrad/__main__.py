"""`python -m mgrad [ARGS]` runs the mgrad executable with ARGS: the REPL, a script
(`python -m mgrad script.mg`), `-c TEXT`, `--view`, `train`, `jupyter` — everything
`mgrad --help` lists. The wheel's `mgrad` command is `main()`.

The executable replaces this process (so Ctrl-C, exit statuses and pipes are its own). It learns
which Python started it, on which `mgrad jupyter` runs the kernel.
"""

import os
import signal
import sys

from ._executable import EXECUTABLE


def executable() -> str:
    """The path of the mgrad executable that goes with this package."""
    if EXECUTABLE is None:
        sys.exit("mgrad: this package was built without the mgrad executable "
                 "(configure with MGRAD_BUILD_CLI=ON)")
    path = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), EXECUTABLE))
    if not os.access(path, os.X_OK):
        sys.exit(f"mgrad: the mgrad executable is not installed beside this package "
                 f"(looked for {path})")
    return path


def main() -> None:
    path = executable()
    os.environ["MGRAD_PYTHON_EXECUTABLE"] = sys.executable
    # Python ignores SIGPIPE and SIGXFSZ; an ignored signal stays ignored across exec, and
    # `mgrad … | head` must end quietly as a program started by a shell does.
    for name in ("SIGPIPE", "SIGXFSZ"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execv(path, ["mgrad", *sys.argv[1:]])
    except OSError as e:
        sys.exit(f"mgrad: cannot run {path}: {e.strerror}")


if __name__ == "__main__":
    main()
