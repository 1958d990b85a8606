"""The mgrad kernelspec installed by `mgrad jupyter install --prefix` into a scratch prefix (or a
Python kernelspec there), and an environment in which Jupyter finds it there (JUPYTER_PATH) and
writes nothing outside the scratch directory. The kernel tests share this.

The mgrad executable is $MGRAD (ctest sets it).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

MGRAD = os.environ.get("MGRAD", "mgrad")


def launcher_python():
    """When $MGRAD is the Python package's `mgrad` command (a wheel's, in a venv) rather than the
    executable itself: the Python that runs it, which the kernel then runs on. Else None."""
    path = shutil.which(MGRAD) or MGRAD
    with open(path, "rb") as f:
        first = f.readline()
    return first[2:].decode().strip() if first.startswith(b"#!") else None


def native_executable():
    """The mgrad executable $MGRAD is or starts (the kernelspec names it)."""
    python = launcher_python()
    if python is None:
        return os.path.realpath(shutil.which(MGRAD) or MGRAD)
    return subprocess.run([python, "-c", "import mgrad.__main__ as m; print(m.executable())"],
                          check=True, capture_output=True, text=True).stdout.strip()


class KernelEnv:
    """kernel="mgrad": the kernelspec `mgrad jupyter install --prefix` writes. kernel="python3":
    the ordinary Python kernel (ipykernel) on this Python, for notebooks that `%load_ext mgrad`
    (the mgrad it imports is this Python's: the build tree's on PYTHONPATH, or a venv's)."""

    def __init__(self, kernel: str = "mgrad") -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="mgrad-kernel-")
        self.root = self._dir.name
        self.prefix = os.path.join(self.root, "prefix")
        self.notebook_dir = os.path.join(self.root, "notebook")
        os.makedirs(self.notebook_dir)
        for name, sub in (("JUPYTER_DATA_DIR", "data"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                          ("JUPYTER_CONFIG_DIR", "config"), ("IPYTHONDIR", "ipython")):
            os.environ[name] = os.path.join(self.root, sub)
        os.environ["JUPYTER_PATH"] = os.path.join(self.prefix, "share", "jupyter")
        os.environ["JUPYTER_PLATFORM_DIRS"] = "0"
        if kernel == "python3":
            os.makedirs(self.spec_dir_of("python3"))
            with open(os.path.join(self.spec_dir_of("python3"), "kernel.json"), "w") as f:
                json.dump({"argv": [sys.executable, "-m", "ipykernel_launcher", "-f",
                                    "{connection_file}"],
                           "display_name": "Python 3", "language": "python"}, f)
            os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
            os.environ["PIP_NO_INDEX"] = "1"  # a notebook's install cell never downloads here
            self.install_output = ""
            return
        self.install_output = subprocess.run(
            [MGRAD, "jupyter", "install", "--prefix", self.prefix], check=True,
            capture_output=True, text=True).stdout

    def spec_dir_of(self, kernel: str) -> str:
        return os.path.join(self.prefix, "share", "jupyter", "kernels", kernel)

    @property
    def spec_dir(self) -> str:
        return self.spec_dir_of("mgrad")

    def close(self) -> None:
        self._dir.cleanup()
